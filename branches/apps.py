from django.apps import AppConfig


class BranchesConfig(AppConfig):
    name = "branches"
    verbose_name = "党组织"

    def ready(self) -> None:
        """Register the towns, branches and members registers for spreadsheet exchange, and
        the towns' WeCom robots as the reminders' group chats."""
        from django.utils.translation import gettext_lazy as _

        from branches import listings, resources, robots, selectors
        from twinning.shared import reminders
        from twinning.shared.exchange import Kind, register_kind

        reminders.register_groups(robots.town_robots)

        register_kind(Kind("towns", _("镇街"), resources.TownResource, selectors.town_list,
                           imports="exchange_towns", exports="exchange_towns"))
        register_kind(Kind("branches", _("党组织"), resources.BranchResource,
                           selectors.branch_list, personal=True, listing=listings.BRANCHES))
        register_kind(Kind("members", _("党员"), resources.MemberResource,
                           selectors.member_list, exports="view_member_data", personal=True,
                           members=True, listing=listings.MEMBERS))
