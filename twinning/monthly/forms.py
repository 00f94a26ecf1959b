from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from twinning.monthly.models import MonthlyUpdate

SECTIONS = (
    (_("一、组织生活"), ("meeting_held",)),
    (_("二、党内互帮互助"), ("activities", "trainings", "secondments", "pairings")),
    (_("三、帮扶成效"), ("problems_solved", "investment_yuan", "jobs_created")),
    (_("四、工作小结"), ("summary",)),
)
NUMERIC = {"inputmode": "numeric", "pattern": "[0-9]*", "min": "0", "class": "big"}


def _label(name: str) -> str:
    return MonthlyUpdate._meta.get_field(name).verbose_name


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the checks on each file are the service's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": _accept()}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def _accept() -> str:
    return ",".join(f".{kind}" for kind in settings.MONTHLY_ATTACHMENT_TYPES)


class MonthlyUpdateForm(forms.Form):
    """The secretary's monthly update, laid out for a phone. `prefilled` marks the figures
    other records supplied, so the secretary checks them rather than types them."""

    meeting_held = forms.TypedChoiceField(
        label=_label("meeting_held"),
        choices=[("yes", _("召开了")), ("no", _("没有召开"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "choice"}),
    )
    activities = forms.IntegerField(label=_label("activities"), min_value=0, required=False)
    trainings = forms.IntegerField(label=_label("trainings"), min_value=0, required=False)
    secondments = forms.IntegerField(label=_label("secondments"), min_value=0, required=False)
    pairings = forms.IntegerField(label=_label("pairings"), min_value=0, required=False)
    problems_solved = forms.IntegerField(
        label=_label("problems_solved"), min_value=0, required=False
    )
    investment_yuan = forms.DecimalField(
        label=_label("investment_yuan"), min_value=0, max_digits=14, decimal_places=2,
        required=False,
        widget=forms.NumberInput(
            attrs={"inputmode": "decimal", "step": "0.01", "min": "0", "class": "big"}
        ),
    )
    jobs_created = forms.IntegerField(label=_label("jobs_created"), min_value=0, required=False)
    summary = forms.CharField(
        label=_label("summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("本月开展了哪些工作、解决了哪些问题、下月打算。报送前必填。"),
    )
    attachments = MultipleFileField(
        label=_("照片或文件"),
        required=False,
        help_text=_("可选多个；只接受 PDF、JPG、PNG、Word（docx）、Excel（xlsx）文件。"),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, prefilled: Mapping[str, Any] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.prefilled = dict(prefilled or {})
        for name in MonthlyUpdate.FIGURES:
            if name != "investment_yuan":
                self.fields[name].widget = forms.NumberInput(attrs=NUMERIC)
            if name in self.prefilled:
                self.fields[name].help_text = _("据帮扶记录预填，请核对（记录为 %(value)s）") % {
                    "value": self.prefilled[name]
                }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in MonthlyUpdate.FIGURES:
            if data.get(name) is None and name not in self.errors:
                data[name] = 0
        return data

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]

    @staticmethod
    def initial_from(update: MonthlyUpdate | None, prefilled: Mapping[str, Any]) -> dict:
        """A saved update's values; for a month with none yet, what the records say."""
        if update is None:
            return {**{name: 0 for name in MonthlyUpdate.FIGURES}, **prefilled, "version": 0}
        initial = {name: getattr(update, name) for name in MonthlyUpdate.FIGURES}
        held = update.meeting_held
        initial.update(
            meeting_held=None if held is None else ("yes" if held else "no"),
            summary=update.summary,
            version=update.version,
        )
        return initial


class DecisionForm(forms.Form):
    """A yes-or-no decision with a reason that the other side will read."""

    CHOICES: tuple = ()
    DECISION_LABEL = ""
    NOTE_LABEL = ""
    NOTE_HELP = ""

    decision = forms.ChoiceField(widget=forms.RadioSelect)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = self.CHOICES
        self.fields["decision"].label = self.DECISION_LABEL
        self.fields["note"].label = self.NOTE_LABEL
        self.fields["note"].help_text = self.NOTE_HELP


class ReviewForm(DecisionForm):
    CHOICES = (("accept", _("通过")), ("return", _("退回修改")))
    DECISION_LABEL = _("审核结果")
    NOTE_LABEL = _("退回原因")
    NOTE_HELP = _("退回时必填，书记会看到。")


class ReopenDecisionForm(DecisionForm):
    CHOICES = (("grant", _("同意重新开放")), ("refuse", _("不同意")))
    DECISION_LABEL = _("处理结果")
    NOTE_LABEL = _("处理意见")
    NOTE_HELP = _("不同意时必填，书记会看到。")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("申请理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
