from django import forms

from twinning.advisor.models import WarningSettings


class WarningSettingsForm(forms.ModelForm):
    class Meta:
        model = WarningSettings
        fields = ["months_running", "score_floor", "falling_inspections", "falling_drop",
                  "falling_below", "overdue_rectifications", "stalled_months",
                  "leaving_months"]
