"""The permission matrix of DESIGN §2, over every URL of the site.

`EXPECTED` names, for each URL pattern, the response each persona gets for an object in their
reach ("own") and one outside it ("other"). The URL configuration is walked, so a new URL
without a row here fails `test_every_url_has_expectations` and cannot be forgotten.
"""


import pytest
from django.urls import reverse

from branches.models import Branch, Member
from tests.factories import (
    MemberFactory,
)
from tests.matrix import ROLES, site_urls, url_kwargs
from twinning.committees.models import JointCommittee

ALL_OK = dict.fromkeys(ROLES, 200)

# url name -> {"own": {role: status}, "other": {role: status}}; GET requests.
EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "home": {"own": ALL_OK},
    "committee_list": {"own": {**ALL_OK, "leader": 403}},
    "committee_create": {
        "own": {"department": 200, "town": 200, "secretary": 403, "inspector": 403,
                "leader": 403},
    },
    "committee_detail": {
        "own": {**ALL_OK, "leader": 404},
        "other": {"department": 200, "town": 404, "secretary": 404, "inspector": 404,
                  "leader": 404},
    },
    "branch_list": {"own": {**ALL_OK, "leader": 403}},
    "branch_create": {
        "own": {"department": 200, "town": 200, "secretary": 403, "inspector": 403,
                "leader": 403},
    },
    "branch_detail": {
        "own": {**ALL_OK, "leader": 404},
        "other": {"department": 200, "town": 404, "secretary": 404, "inspector": 404,
                  "leader": 404},
    },
    "member_list": {
        "own": {"department": 200, "town": 200, "secretary": 200, "inspector": 403,
                "leader": 403},
    },
    "member_create": {
        "own": {"department": 200, "town": 200, "secretary": 403, "inspector": 403,
                "leader": 403},
    },
    "member_detail": {
        "own": {"department": 200, "town": 200, "secretary": 200, "inspector": 404,
                "leader": 404},
        "other": {"department": 200, "town": 404, "secretary": 404, "inspector": 404,
                  "leader": 404},
    },
}
CHANGE = {"department": 200, "town": 200, "secretary": 403, "inspector": 403, "leader": 404}
CHANGE_OTHER = {"department": 200, "town": 404, "secretary": 404, "inspector": 404,
                "leader": 404}
MEMBER_CHANGE = {**CHANGE, "inspector": 404}
for _name in ("committee_edit", "committee_add_village", "committee_remove_village",
              "committee_dissolve", "branch_edit"):
    EXPECTED[_name] = {"own": CHANGE, "other": CHANGE_OTHER}
EXPECTED["member_edit"] = {"own": MEMBER_CHANGE, "other": CHANGE_OTHER}
# The committee form's pickers answer whoever may create a committee (choices: tests/test_pickers).
EXPECTED["pick_village"] = EXPECTED["pick_urban_branch"] = EXPECTED["pick_member_branch"] = {
    "own": {"department": 200, "town": 200, "secretary": 403, "inspector": 403, "leader": 403},
}
# The unit offers' town picker is the department's, as offering is.
EXPECTED["pick_offer_town"] = {
    "own": {"department": 200, "town": 403, "secretary": 403, "inspector": 403, "leader": 403},
}
# A picker of one committee's form answers whoever may open that form (choices: test_pickers).
EXPECTED["committee_pick_village"] = EXPECTED["committee_add_village"]
# Bulletins: "own" is a published version (all may read it), "other" an unpublished one.
DEPARTMENT_ONLY = {**dict.fromkeys(ROLES, 404), "department": 200}
READ_PUBLISHED = {"own": ALL_OK, "other": DEPARTMENT_ONLY}
EXPECTED.update({
    "bulletin_list": {"own": ALL_OK},
    "bulletin_build": {"own": dict.fromkeys(ROLES, 405)},  # POST only
    "bulletin_detail": READ_PUBLISHED,
    "bulletin_status": READ_PUBLISHED,
    "bulletin_pdf": READ_PUBLISHED,
    "bulletin_annex": READ_PUBLISHED,
    "bulletin_docx": READ_PUBLISHED,
    "bulletin_publish": {"own": {**dict.fromkeys(ROLES, 403), "department": 200},
                         "other": DEPARTMENT_ONLY},
    "bulletin_text": {"own": {**dict.fromkeys(ROLES, 403), "department": 200}},
    "bulletin_settings": {"own": {**dict.fromkeys(ROLES, 403), "department": 200}},
    "case_list": {"own": {**dict.fromkeys(ROLES, 403), "department": 200}},
    "case_edit": {"own": {**dict.fromkeys(ROLES, 403), "department": 200},
                  "other": {**dict.fromkeys(ROLES, 403), "department": 200}},
    "case_remove": {"own": dict.fromkeys(ROLES, 405)},  # POST only
    "notification_list": {"own": ALL_OK},
    "dashboard": {"own": {**ALL_OK, "secretary": 403, "inspector": 403}},
})
# Democratic review: ratings are members' personal data, for department, town and secretaries
# only (DESIGN §2). A round is city-wide ("own" only); the department runs it.
MEMBER_DATA = {**dict.fromkeys(ROLES, 403), "department": 200, "town": 200, "secretary": 200}
ROUND_ADMIN = {**dict.fromkeys(ROLES, 403), "department": 200}
COMMITTEE_RATINGS = {**MEMBER_DATA, "inspector": 404, "leader": 404}
EXPECTED.update({
    "review_round_list": {"own": MEMBER_DATA},
    "review_round_detail": {"own": MEMBER_DATA},
    "review_round_create": {"own": ROUND_ADMIN},
    "review_round_edit": {"own": ROUND_ADMIN},
    "review_round_close": {"own": ROUND_ADMIN},
    "review_round_roster": {"own": dict.fromkeys(ROLES, 405)},  # POST only
    "review_round_table": {"own": {**COMMITTEE_RATINGS, "secretary": 403}},
    "help_list": {"own": MEMBER_DATA},
})
for _name in ("review_sheet", "help_assign", "help_detail", "help_close"):
    EXPECTED[_name] = {"own": COMMITTEE_RATINGS, "other": DEPARTMENT_ONLY}

# Assessments: leaders read the ranking (organisations' totals, ranks, grades), not the scores
# or commendations; inspectors see nothing; the department runs the round. A round is
# city-wide ("own" only); a committee's scores answer like its other pages.
RANKING = {**dict.fromkeys(ROLES, 200), "inspector": 403}
SCORES = {"department": 200, "town": 200, "secretary": 200, "inspector": 404, "leader": 404}
EXPECTED.update({
    "assessment_round_list": {"own": RANKING},
    "assessment_round_detail": {"own": RANKING},
    "assessment_round_create": {"own": ROUND_ADMIN},
    "assessment_round_close": {"own": ROUND_ADMIN},
    "assessment_round_edit": {"own": ROUND_ADMIN},
    "assessment_commend": {"own": ROUND_ADMIN},
    "assessment_generate": {"own": dict.fromkeys(ROLES, 405)},  # POST only
    "assessment_detail": {"own": SCORES, "other": DEPARTMENT_ONLY},
    "assessment_adjust": {"own": {**SCORES, "town": 403, "secretary": 403},
                          "other": DEPARTMENT_ONLY},
})

# Monthly updates: filed by the secretary, reviewed by the department and the town; inspectors
# and leaders see none of them. Reopening is granted by the department only.
UPDATES = {"department": 200, "town": 200, "secretary": 200, "inspector": 403, "leader": 404}
FILE = {"department": 403, "town": 403, "secretary": 200, "inspector": 403, "leader": 404}
FILE_OTHER = {**CHANGE_OTHER, "department": 403}
GRANT = {"department": 200, "town": 403, "secretary": 403, "inspector": 403, "leader": 404}
for _name in ("monthly_committee", "monthly_update", "monthly_attachment"):
    EXPECTED[_name] = {"own": UPDATES, "other": CHANGE_OTHER}
EXPECTED["monthly_review"] = {"own": CHANGE, "other": CHANGE_OTHER}
for _name in ("monthly_reopen_request", "monthly_attachment_delete"):
    EXPECTED[_name] = {"own": FILE, "other": FILE_OTHER}
EXPECTED["monthly_reopen_decide"] = {"own": GRANT, "other": CHANGE_OTHER}
EXPECTED["monthly_completeness"] = {
    "own": {"department": 200, "town": 200, "secretary": 403, "inspector": 403, "leader": 403}
}
EXPECTED["monthly_queue"] = EXPECTED["monthly_completeness"]
# 催报: town staff (their towns' committees) and the department; the confirmation is a GET.
EXPECTED["monthly_nudge"] = EXPECTED["monthly_completeness"]
EXPECTED["monthly_nudge_one"] = {"own": CHANGE, "other": CHANGE_OTHER}
# The secretary's menu entry: their committee's months (a redirect when they file for one).
EXPECTED["monthly_mine"] = {
    "own": {"department": 403, "town": 403, "secretary": 302, "inspector": 403, "leader": 403}
}

# Aid and mutual-help records: a committee's secretary, its town and the department record
# them; inspectors read them; leaders see only the aggregate outcomes.
READ = {**ALL_OK, "leader": 404}
MANAGE = {"department": 200, "town": 200, "secretary": 200, "inspector": 403, "leader": 404}
EXPECTED.update({
    "project_list": {"own": {**ALL_OK, "leader": 403}},
    "outcomes_citywide": {"own": {"department": 200, "town": 200, "secretary": 403,
                                  "inspector": 403, "leader": 200}},
    "project_detail": {"own": READ, "other": CHANGE_OTHER},
    "committee_records": {"own": READ, "other": CHANGE_OTHER},
    "committee_outcomes": {"own": READ, "other": CHANGE_OTHER},
})
for _name in ("record_create", "project_record_create", "record_edit", "record_delete",
              "pick_funder"):
    EXPECTED[_name] = {"own": MANAGE, "other": CHANGE_OTHER}

# Inspections and rectifications: seen where their committee is, never by leaders; recorded
# and closed by those who may inspect the committee; evidence from those who may manage it.
NOT_LEADERS = {**ALL_OK, "leader": 403}
SEEN = {"own": {**ALL_OK, "leader": 404}, "other": CHANGE_OTHER}
INSPECT = {"department": 200, "town": 200, "secretary": 403, "inspector": 200, "leader": 404}
MANAGE = {"department": 200, "town": 200, "secretary": 200, "inspector": 403, "leader": 404}
DEPARTMENT_ONLY = {**dict.fromkeys(ROLES, 403), "department": 200}
EXPECTED.update({
    "inspection_list": {"own": NOT_LEADERS},
    "inspection_create": {"own": {**INSPECT, "leader": 403}},
    "inspection_rubric": {"own": DEPARTMENT_ONLY},
    # The inspection form's committee picker answers whoever may open the form.
    "pick_inspection_committee": {"own": {**INSPECT, "leader": 403}},
    "inspection_detail": SEEN,
    "inspection_edit": {"own": INSPECT, "other": CHANGE_OTHER},
    "rectification_list": {"own": NOT_LEADERS},
    "rectification_detail": SEEN,
    "rectification_file": SEEN,
    "rectification_submit": {"own": MANAGE, "other": CHANGE_OTHER},
    "rectification_review": {"own": INSPECT, "other": CHANGE_OTHER},
})
# The joint meeting is the city's: the department records it, town staff and leaders read it;
# a secretary reads the meetings and items given to their committee (each side's meeting gives
# its committee an item) and answers those items; no one else answers for the committee.
READERS = {"department": 200, "town": 200, "secretary": 200, "inspector": 403, "leader": 200}
RECORD = {"department": 200, "town": 403, "secretary": 403, "inspector": 404, "leader": 403}
ANSWER = {**dict.fromkeys(ROLES, 403), "secretary": 200}
EXPECTED.update({
    "meeting_list": {"own": READERS},
    "action_item_list": {"own": READERS},
    "meeting_create": {"own": DEPARTMENT_ONLY},
    "meeting_detail": {"own": {**READERS, "inspector": 404},
                       "other": {**READERS, "secretary": 404, "inspector": 404}},
    "meeting_edit": {"own": RECORD, "other": {**RECORD, "secretary": 404}},
    # The meeting form's committee picker answers whoever may open that form (test_pickers).
    "pick_action_item_committee": {"own": DEPARTMENT_ONLY},
    "meeting_pick_committee": {"own": RECORD, "other": {**RECORD, "secretary": 404}},
    "action_item_done": {"own": RECORD, "other": {**RECORD, "secretary": 404}},
    "action_item_return": {"own": RECORD, "other": {**RECORD, "secretary": 404}},
    "action_item_answer": {"own": ANSWER, "other": {**ANSWER, "secretary": 404}},
})

# Spreadsheet exchange: importing is for department and town staff; an export answers like the
# list it exports (towns have no list page: department only).
STAFF_ONLY = {"department": 200, "town": 200, "secretary": 403, "inspector": 403, "leader": 403}
EXPECTED["exchange_import"] = {"own": STAFF_ONLY}
EXPECTED["exchange_template"] = {"own": STAFF_ONLY}
EXPECTED["exchange_confirm"] = {"own": {**STAFF_ONLY, "department": 302, "town": 302}}
# Without ?record= of one's own import: back to the import page, or no status.
EXPECTED["exchange_progress"] = {"own": {**STAFF_ONLY, "department": 302, "town": 302}}
EXPECTED["exchange_progress_status"] = {"own": {**STAFF_ONLY, "department": 404, "town": 404}}
EXPECTED["export_towns"] = {"own": {**dict.fromkeys(ROLES, 403), "department": 200}}
EXPECTED["export_branches"] = EXPECTED["branch_list"]
EXPECTED["export_members"] = EXPECTED["member_list"]
EXPECTED["export_committees"] = EXPECTED["committee_list"]
# Monthly updates: those who file or review them (the committee's page or the completeness
# page, which the selector picks by the query); aid projects: like their list.
EXPECTED["export_monthly_updates"] = {"own": {**STAFF_ONLY, "secretary": 200}}
EXPECTED["export_aid_projects"] = EXPECTED["project_list"]
# The same rows as a report to read answer exactly as the import-format export.
for _kind in ("branches", "members", "committees", "monthly_updates", "aid_projects"):
    EXPECTED[f"listing_{_kind}"] = EXPECTED[f"export_{_kind}"]

# The pairing advisor is the department's: it assigns pairs (定对). Its writes are POST only.
EXPECTED["advisor"] = {"own": {**dict.fromkeys(ROLES, 403), "department": 200}}
for _name in ("advisor_rules", "advisor_accept", "advisor_reject"):
    EXPECTED[_name] = {"own": dict.fromkeys(ROLES, 405)}
# Warnings: each role reads the flags of the committees it may see; thresholds are the
# department's.
EXPECTED["warning_list"] = {"own": {**ALL_OK, "leader": 403}}
EXPECTED["warning_settings"] = {"own": {**dict.fromkeys(ROLES, 403), "department": 200}}

# The record of personal-data reads is the department's.
EXPECTED["personal_data_log"] = {"own": {**dict.fromkeys(ROLES, 403), "department": 200}}
# Everyone chooses how reminders reach them.
EXPECTED["reminder_settings"] = {"own": ALL_OK}


# Accounts: one's own for everyone; managing them for the department, and for town staff the
# secretaries and inspectors of their towns ("own": a secretary of the town's committee).
# Buttons are POST only.
MANAGERS = {**dict.fromkeys(ROLES, 403), "department": 200, "town": 200}
EXPECTED.update({
    "my_account": {"own": ALL_OK},
    "password_change": {"own": ALL_OK},
    "second_factor_setup": {"own": ALL_OK},
    # Without a device there is nothing to verify: enrol first.
    "second_factor_verify": {"own": {**dict.fromkeys(ROLES, 302), "department": 200}},
    "second_factor_off": {"own": dict.fromkeys(ROLES, 405)},
    "recovery_codes_renew": {"own": dict.fromkeys(ROLES, 405)},
    "account_list": {"own": MANAGERS},
    "account_create": {"own": MANAGERS},
    "pick_account_committee": {"own": MANAGERS},
    "account_detail": {"own": MANAGERS, "other": {**MANAGERS, "town": 404}},
    "account_edit": {"own": MANAGERS, "other": {**MANAGERS, "town": 404}},
})
for _name in ("account_active", "account_link_issue", "account_second_factor_reset"):
    EXPECTED[_name] = {"own": dict.fromkeys(ROLES, 405)}


def test_health_check_is_public_and_says_nothing_else(client, db) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_every_url_has_expectations() -> None:
    missing = [name for name, _ in site_urls() if name not in EXPECTED]
    assert missing == [], f"URLs with no permission expectations: {missing}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_permission_matrix(client, personas, sides, name) -> None:
    """Anonymous visitors are sent to log in; each role gets the expected answer on its own
    and on the other side's object. One set of objects per URL, every role tried on it."""
    pattern = dict(site_urls())[name]
    urls = {side: reverse(name, kwargs=url_kwargs(pattern, sides[side])) for side in EXPECTED[name]}
    response = client.get(urls["own"])
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    wrong = []
    for role in ROLES:
        client.force_login(personas[role])
        for side, url in urls.items():
            response = client.get(url)
            if response.streaming:  # read a file to the end: the test client then closes it
                b"".join(response.streaming_content)
            expected = EXPECTED[name][side][role]
            if response.status_code != expected:
                wrong.append((role, side, url, response.status_code, expected))
    assert wrong == [], "(role, side, url, got, expected)"


def test_lists_show_only_what_the_user_may_see(
    client, personas, committee, other_committee
) -> None:
    expectations = {
        "department": (True, True), "town": (True, False),
        "secretary": (True, False), "inspector": (True, False),
    }
    for role, (sees_own, sees_other) in expectations.items():
        client.force_login(personas[role])
        body = client.get(reverse("committee_list")).content.decode()
        assert (committee.name in body) is sees_own, role
        assert (other_committee.name in body) is sees_other, role
        branches = client.get(reverse("branch_list"), {"kind": "village"}).content.decode()
        assert (committee.memberships.first().village.name in branches) is sees_own, role
        assert (other_committee.memberships.first().village.name in branches) is sees_other


def test_member_names_hidden_from_inspectors_on_committee_page(
    client, inspector_user, secretary_user, committee
) -> None:
    village = committee.memberships.first().village
    MemberFactory(branch=village, name="张测试", role=Member.Role.SECRETARY)
    client.force_login(secretary_user)
    assert "张测试" in client.get(committee.get_absolute_url()).content.decode()
    client.force_login(inspector_user)
    assert "张测试" not in client.get(committee.get_absolute_url()).content.decode()
    assert "张测试" not in client.get(village.get_absolute_url()).content.decode()


def test_secretary_cannot_change_committee_by_post(client, secretary_user, committee) -> None:
    client.force_login(secretary_user)
    response = client.post(
        reverse("committee_edit", args=[committee.code]),
        {"name": "改名", "urban": committee.urban_id, "formation": "voluntary",
         "established_on": "2024-01-01"},
    )
    assert response.status_code == 403
    committee.refresh_from_db()
    assert committee.name != "改名"


def test_town_staff_cannot_dissolve_another_towns_committee(
    client, town_user, other_committee
) -> None:
    client.force_login(town_user)
    response = client.post(
        reverse("committee_dissolve", args=[other_committee.code]),
        {"date": "2025-01-01", "reason": "越权"},
    )
    assert response.status_code == 404
    other_committee.refresh_from_db()
    assert other_committee.dissolved_on is None


def test_town_staff_can_only_pick_their_own_villages(
    client, town_user, town, other_committee
) -> None:
    from tests.factories import ResidentsFactory, VillageFactory

    foreign = VillageFactory(town=other_committee.town)
    mine = VillageFactory(town=town)
    urban = ResidentsFactory(town=town)
    client.force_login(town_user)
    response = client.post(
        reverse("committee_create"),
        {"code": "NEW1", "name": "越界联合党总支", "urban": urban.pk,
         "villages": [mine.pk, foreign.pk], "formation": "assigned",
         "established_on": "2025-01-01"},
    )
    assert response.status_code == 200
    assert "villages" in response.context["form"].errors
    assert not JointCommittee.objects.filter(code="NEW1").exists()


def test_department_creates_committee_and_it_is_audited(
    client, department_user, town
) -> None:
    from tests.factories import ResidentsFactory, VillageFactory

    villages = VillageFactory.create_batch(2, town=town)
    urban = ResidentsFactory(town=town)
    client.force_login(department_user)
    response = client.post(
        reverse("committee_create"),
        {"code": "NEW2", "name": "新建联合党总支", "urban": urban.pk,
         "villages": [v.pk for v in villages], "formation": "voluntary",
         "established_on": "2025-03-01"},
    )
    committee = JointCommittee.objects.get(code="NEW2")
    assert response.status_code == 302
    assert committee.form == JointCommittee.Form.VILLAGE_RESIDENTS
    record = committee.history.get()
    assert record.history_user == department_user
    detail = client.get(committee.get_absolute_url()).content.decode()
    assert "变更记录" in detail and department_user.username in detail


def test_audit_trail_is_for_the_department_only(client, town_user, committee) -> None:
    client.force_login(town_user)
    assert "变更记录" not in client.get(committee.get_absolute_url()).content.decode()


def test_branch_kind_cannot_change_while_in_a_committee(
    client, department_user, committee
) -> None:
    village = committee.memberships.first().village
    client.force_login(department_user)
    response = client.post(
        reverse("branch_edit", args=[village.code]),
        {"code": village.code, "name": village.name, "kind": Branch.Kind.RESIDENTS,
         "town": village.town_id, "secretary": "", "industries": ""},
    )
    assert response.status_code == 200
    assert "该村正在联合党组织中，不能更改类型。" in response.content.decode()
    village.refresh_from_db()
    assert village.kind == Branch.Kind.VILLAGE
