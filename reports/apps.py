from django.apps import AppConfig
from django.core import checks


def bulletin_fonts_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Fail when the bulletin's faces are not installed: its PDF would print boxes."""
    from reports.bulletins import fonts

    reason = fonts.problem()
    if reason is None:
        return []
    return [checks.Error(
        reason,
        hint="No CJK face for the bulletin was found by fontconfig (fc-list :lang=zh); "
             "install fonts-noto-cjk and fonts-arphic-gkai00mp (scripts/install-system-deps.sh) "
             "or set BULLETIN_FONT_TITLE/BODY/KAI/HEI to installed faces.",
        id="reports.E001",
    )]


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "通报与统计"

    def ready(self) -> None:
        checks.register(bulletin_fonts_check)
        from django.db.models import Q

        from reports.bulletins.models import Bulletin
        from twinning.shared.permissions import register_visibility

        # Only those who publish see versions before they are published.
        register_visibility(Bulletin, readers="read_bulletins", committee=None,
                            only=("publish", Q(state=Bulletin.State.PUBLISHED)))
