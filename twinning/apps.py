from django.apps import AppConfig


class TwinningConfig(AppConfig):
    name = "twinning"
    verbose_name = "联合党组织"

    def ready(self) -> None:
        from . import memo, permissions
        from .models import MonthlyAttachment, MonthlyUpdate, ReopenRequest
        from .monthly import todo

        permissions.register_visibility(MonthlyUpdate, permissions.visible_updates)
        permissions.register_visibility(ReopenRequest, permissions.visible_updates)
        permissions.register_visibility(
            MonthlyAttachment,
            lambda user, qs: permissions.visible_updates(user, qs, "update__committee"),
        )
        todo.register()
        memo.connect()
        from .aid import records

        records.connect()
        from .meetings.selectors import visible_to_readers
        from .models import ActionItem, JointMeeting
        from .permissions import register_visibility

        register_visibility(JointMeeting, visible_to_readers)
        register_visibility(ActionItem, visible_to_readers)
