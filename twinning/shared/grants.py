"""The role policy's table: who may do what at all, by role (read through
`twinning.shared.permissions`, which answers every question about one object too)."""

from twinning.shared.models import Role

DEPARTMENT, TOWN, SECRETARY, INSPECTOR, LEADER = Role.values

# Who may do what at all (a question without an object), by role. A question about one object
# goes through `permissions.can`'s rules of reach; an action not listed here is the department's.
GRANTS: dict[str, frozenset[str]] = {name: frozenset(roles) for name, roles in {
    # The programme's pages: committees, branches, inspections, aid, warnings.
    "view": (DEPARTMENT, TOWN, SECRETARY, INSPECTOR),
    # A committee, a branch or a member, in one's towns.
    "create": (DEPARTMENT, TOWN),
    # Monthly updates: seen by those who file or review them; reviewed by department and town.
    "view_updates": (DEPARTMENT, TOWN, SECRETARY),
    "review": (DEPARTMENT, TOWN),
    "view_completeness": (DEPARTMENT, TOWN),
    # 催报: remind committees that have not filed a month (town staff their towns').
    "nudge": (DEPARTMENT, TOWN),
    # Members' names, ratings and help cases; the scores behind an assessment.
    "view_member_data": (DEPARTMENT, TOWN, SECRETARY),
    # Published bulletins are read by everyone with a role.
    "read_bulletins": (DEPARTMENT, TOWN, SECRETARY, INSPECTOR, LEADER),
    "view_dashboard": (DEPARTMENT, TOWN, LEADER),
    # Figures added up over the whole city (outcomes, rankings, warnings): leaders read them
    # without reaching any committee's own pages.
    "view_city_figures": (DEPARTMENT, LEADER),
    "view_headline": (DEPARTMENT, TOWN, LEADER),
    # The home page compares the last month with the one before (the leader's summary).
    "follow_month_changes": (LEADER,),
    # The home page lists the committees one works with.
    "list_own_committees": (TOWN, SECRETARY, INSPECTOR),
    "list_own_towns": (TOWN,),
    # Assessment rounds and committees' totals, ranks and grades.
    "view_rankings": (DEPARTMENT, TOWN, SECRETARY, LEADER),
    # Joint meetings: every meeting for the department, towns and leaders; a secretary the
    # meetings that gave their committee an action item, and those items.
    "read_meetings": (DEPARTMENT, TOWN, SECRETARY, LEADER),
    "read_all_meetings": (DEPARTMENT, TOWN, LEADER),
    "track_rectifications": (DEPARTMENT, TOWN, SECRETARY),
    # How many committees were inspected this month; the committees one is to inspect.
    "oversee_inspections": (DEPARTMENT, TOWN),
    "carry_out_inspections": (INSPECTOR,),
    # Write and submit a committee's monthly update; enter its members' review ratings.
    "file": (SECRETARY,),
    "enter_reviews": (SECRETARY,),
    # Rectifications owed by one's committee, with their due dates.
    "answer_rectifications": (SECRETARY,),
    # The joint meeting's action items given to one's committee: the secretary answers them
    # (what was done); the department, which closes them, never answers for the committee.
    "answer_action_items": (SECRETARY,),
    # Lists narrowed by town (a secretary works in one committee).
    "pick_town": (DEPARTMENT, TOWN, INSPECTOR, LEADER),
    "import_data": (DEPARTMENT, TOWN),
    "export_registers": (DEPARTMENT, TOWN, SECRETARY, INSPECTOR),
    "export_reviews": (DEPARTMENT, TOWN),
    # The department's alone (as is any action not named here).
    "publish": (DEPARTMENT,),
    "admin": (DEPARTMENT,),
    "advise": (DEPARTMENT,),
    "offer": (DEPARTMENT,),  # offer a city-level unit to towns as an urban side
    "grant_reopen": (DEPARTMENT,),
    "record_meetings": (DEPARTMENT,),
    "manage_rounds": (DEPARTMENT,),
    "edit_rubric": (DEPARTMENT,),
    "edit_warning_settings": (DEPARTMENT,),
    "edit_bulletin_settings": (DEPARTMENT,),  # the bulletin's issuing body, 主送, 抄送 …
    "exchange_towns": (DEPARTMENT,),
    "see_all_imports": (DEPARTMENT,),
    # Accounts: the department manages every one; town staff the secretaries and inspectors
    # of their own towns' committees. Department accounts sign in with a second factor.
    "manage_accounts": (DEPARTMENT,),
    "manage_town_accounts": (TOWN,),
    "need_second_factor": (DEPARTMENT,),
    # Who hears of a published bulletin on the site, and who also by e-mail.
    "hear_of_bulletins": (TOWN, SECRETARY, INSPECTOR, LEADER),
    "receive_bulletins_by_email": (LEADER,),
    # Reminders: everyone chooses their own channels; a town's WeCom group robot is set by
    # the town's staff (for their own towns) or the department.
    "choose_reminder_channels": (DEPARTMENT, TOWN, SECRETARY, INSPECTOR, LEADER),
    "set_town_robots": (DEPARTMENT, TOWN),
}.items()}
