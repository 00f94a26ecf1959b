from django import forms
from django.utils.translation import gettext_lazy as _

from reports.bulletins.models import BulletinSettings, BulletinText, TypicalCase
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


class BulletinSettingsForm(forms.ModelForm):
    class Meta:
        model = BulletinSettings
        fields = ["heading", "issuing_body", "short_name", "recipients", "copies_to",
                  "printed_by", "number_head_page"]
        widgets = {"recipients": forms.Textarea(attrs={"rows": 2}),
                   "copies_to": forms.Textarea(attrs={"rows": 2})}


class TypicalCaseForm(forms.ModelForm):
    class Meta:
        model = TypicalCase
        fields = ["title", "body", "order"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}


class PublishForm(forms.Form):
    quick = forms.BooleanField(
        label=_("作为快报发布"), required=False,
        help_text=_("本月报送尚未截止时，可作为快报发布，标题和正文注明数据截至日期。"),
    )
