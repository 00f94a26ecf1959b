from django.apps import AppConfig


class TwinningConfig(AppConfig):
    name = "twinning"
    verbose_name = "联合党组织"

    def ready(self) -> None:
        """Register twinning's concepts into the shared machinery: the policy's core models
        and who sees each concept's rows, the to-do sources, and the kept figures' signals."""
        from django.utils.translation import gettext_lazy as _

        from twinning.aid import listings as aid_listings
        from twinning.aid import record_kinds
        from twinning.aid.resources import AidProjectResource
        from twinning.aid.selectors import project_list
        from twinning.committees import policy
        from twinning.committees.resources import CommitteeResource
        from twinning.committees.selectors import committee_list
        from twinning.meetings import owed as meetings_owed
        from twinning.meetings.models import ActionItem, JointMeeting
        from twinning.monthly import owed
        from twinning.monthly.listings import UPDATES
        from twinning.monthly.models import MonthlyAttachment, MonthlyUpdate, ReopenRequest
        from twinning.monthly.resources import MonthlyUpdateResource
        from twinning.monthly.selectors import update_export
        from twinning.shared import kept_figures
        from twinning.shared.exchange import Kind, register_kind
        from twinning.shared.permissions import register_visibility

        policy.bind()
        # Monthly updates are for those who file or review them: inspectors and leaders see
        # none. The joint meeting is the city's: the department, towns and leaders read every
        # meeting; a secretary the meetings that gave their committee an action item.
        register_visibility(MonthlyUpdate, readers="view_updates")
        register_visibility(ReopenRequest, readers="view_updates")
        register_visibility(MonthlyAttachment, readers="view_updates",
                            committee="update__committee")
        register_visibility(JointMeeting, readers="read_meetings", city_wide="read_all_meetings",
                            committee="action_items__committee", many=True)
        register_visibility(ActionItem, readers="read_meetings", city_wide="read_all_meetings")
        record_kinds.connect()
        register_kind(Kind("committees", _("联合党组织"), CommitteeResource, committee_list,
                           listing=aid_listings.COMMITTEES))
        register_kind(Kind("monthly_updates", _("月度工作报告"), MonthlyUpdateResource,
                           update_export, exports="view_updates", listing=UPDATES))
        register_kind(Kind("aid_projects", _("帮扶项目"), AidProjectResource, project_list,
                           listing=aid_listings.PROJECTS))
        owed.register()
        meetings_owed.register()
        kept_figures.connect()
