from django.apps import AppConfig


class TwinningConfig(AppConfig):
    name = "twinning"
    verbose_name = "联合党组织"

    def ready(self) -> None:
        from twinning.monthly import todo
        from twinning.monthly.models import MonthlyAttachment, MonthlyUpdate, ReopenRequest
        from twinning.shared import kept_figures, permissions

        permissions.register_visibility(MonthlyUpdate, permissions.visible_updates)
        permissions.register_visibility(ReopenRequest, permissions.visible_updates)
        permissions.register_visibility(
            MonthlyAttachment,
            lambda user, qs: permissions.visible_updates(user, qs, "update__committee"),
        )
        todo.register()
        kept_figures.connect()
        from twinning.aid import records

        records.connect()
        from twinning.meetings.models import ActionItem, JointMeeting
        from twinning.meetings.selectors import visible_to_readers
        from twinning.shared.permissions import register_visibility

        register_visibility(JointMeeting, visible_to_readers)
        register_visibility(ActionItem, visible_to_readers)
