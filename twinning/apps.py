from django.apps import AppConfig


class TwinningConfig(AppConfig):
    name = "twinning"
    verbose_name = "联合党组织"

    def ready(self) -> None:
        from .models import ActionItem, JointMeeting
        from .permissions import register_visibility
        from .selectors_meetings import visible_to_readers

        register_visibility(JointMeeting, visible_to_readers)
        register_visibility(ActionItem, visible_to_readers)
