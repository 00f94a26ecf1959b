from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "通报与统计"

    def ready(self) -> None:
        from django.db.models import Q

        from reports.bulletins.models import Bulletin
        from twinning.shared.permissions import register_visibility

        # Only those who publish see versions before they are published.
        register_visibility(Bulletin, readers="read_bulletins", committee=None,
                            only=("publish", Q(state=Bulletin.State.PUBLISHED)))
