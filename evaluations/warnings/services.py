"""The department's write on the early warning: its thresholds."""

from twinning.advisor.models import WarningSettings


def warning_settings_update(*, settings: WarningSettings) -> WarningSettings:
    """Save the early warning's thresholds. There is one settings row: the first save creates
    it, later ones update it."""
    settings.pk = WarningSettings.objects.values_list("pk", flat=True).first() or settings.pk
    settings.full_clean()
    settings.save()
    return settings
