from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "通报与统计"

    def ready(self) -> None:
        from twinning.models import Role
        from twinning.permissions import register_visibility, role_of

        from .bulletins.models import Bulletin

        def visible_bulletins(user, qs):
            # Only the department sees versions before they are published.
            if role_of(user) == Role.DEPARTMENT:
                return qs
            return qs.filter(state=Bulletin.State.PUBLISHED)

        register_visibility(Bulletin, visible_bulletins)
