from django import forms
from django.utils.translation import gettext_lazy as _

from reports.bulletins.models import BulletinText
from twinning.shared.periods import format_period, parse_period


class PeriodField(forms.CharField):
    """A month typed as YYYY-MM (the browser's month picker sends exactly that)."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value):
        value = super().to_python(value)
        return parse_period(value) if value else None

    def prepare_value(self, value):
        return format_period(value) if hasattr(value, "year") else value


class BuildForm(forms.Form):
    period = PeriodField(label=_("月份"))


class BulletinTextForm(forms.ModelForm):
    class Meta:
        model = BulletinText
        fields = ["next_steps"]
        widgets = {"next_steps": forms.Textarea(attrs={"rows": 10})}
