"""The department's write on the early warning: its thresholds."""

from twinning.advisor.models import WarningSettings
from twinning.shared.writes import save_single_row


def warning_settings_update(*, settings: WarningSettings) -> WarningSettings:
    """Save the early warning's thresholds. There is one settings row: the first save creates
    it, later ones update it."""
    return save_single_row(settings)
