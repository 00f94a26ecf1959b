import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from branches.models import Branch

from . import permissions
from .models import JointCommittee
from .periods import format_period, parse_period


class DateInput(forms.DateInput):
    """The browser's date picker. It only accepts ISO dates, whatever the interface language
    (the Chinese locale's first input format, %Y/%m/%d, would leave the field blank)."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format or "%Y-%m-%d")


class MonthField(forms.Field):
    """A month as `YYYY-MM` (the browser's month picker), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        try:
            return parse_period(str(value))
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def prepare_value(self, value: Any) -> Any:
        return format_period(value) if isinstance(value, datetime.date) else value


def search_field(label: str, placeholder: str) -> forms.CharField:
    """The free-text search box of a list's filters."""
    return forms.CharField(
        label=label, required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}),
    )


class BranchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Branch) -> str:
        town = f"（{obj.town.name}）" if obj.town_id else ""
        return f"{obj.name}{town} · {obj.code}"


class BranchMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Branch) -> str:
        return f"{obj.town.name} · {obj.name} · {obj.code}"


class CommitteeForm(forms.Form):
    code = forms.CharField(label=_("编码"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=128)
    urban = BranchChoiceField(
        label=_("城市党组织"), queryset=Branch.objects.none(),
        error_messages={"invalid_choice": permissions.URBAN_OUT_OF_REACH},
    )
    villages = BranchMultipleChoiceField(
        label=_("联建村"),
        queryset=Branch.objects.none(),
        help_text=_("选择2至4个同一镇街、尚未加入其他联合党组织的村。"),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    formation = forms.ChoiceField(label=_("结对方式"), choices=JointCommittee.Formation.choices)
    established_on = forms.DateField(label=_("成立日期"), widget=DateInput)

    def __init__(self, *args, urban_qs, village_qs, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["urban"].queryset = urban_qs.select_related("town")
        if editing:
            del self.fields["code"]
            del self.fields["villages"]
        else:
            self.fields["villages"].queryset = village_qs

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if JointCommittee.objects.filter(code=code).exists():
            raise forms.ValidationError(_("编码已被其他联合党组织使用。"))
        return code


class AddVillageForm(forms.Form):
    village = BranchChoiceField(label=_("村党组织"), queryset=Branch.objects.none())
    joined_on = forms.DateField(label=_("加入日期"), widget=DateInput)

    def __init__(self, *args, village_qs, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = village_qs


class LeaveForm(forms.Form):
    """Confirms a village leaving, or the whole committee being dissolved."""

    date = forms.DateField(label=_("日期"), widget=DateInput)
    reason = forms.CharField(label=_("原因"), max_length=255)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类型"))
    file = forms.FileField(
        label=_("文件"),
        help_text=_("CSV（UTF-8 或 GB18030 编码）或 Excel .xlsx（读取第一个工作表）。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, kinds, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, k.label) for k in kinds]


class AccessLogFilterForm(forms.Form):
    q = search_field(_("查阅人"), _("用户名"))
    since = forms.DateField(label=_("起始日期"), required=False, widget=DateInput)
    until = forms.DateField(label=_("截止日期"), required=False, widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("截止日期不能早于起始日期。"))
        return data
