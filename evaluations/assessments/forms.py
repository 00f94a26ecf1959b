import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluations.assessments.models import Assessment, AssessmentRound, AssessmentScore
from twinning.shared.forms import DateInput


class AssessmentRoundForm(forms.ModelForm):
    class Meta:
        model = AssessmentRound
        fields = ["year", "half", "opened_on", "closes_on", "outstanding_count",
                  "excellent_from", "good_from", "fair_from"]
        widgets = {"opened_on": DateInput, "closes_on": DateInput}

    @classmethod
    def for_today(cls, data: dict | None = None) -> "AssessmentRoundForm":
        """Starts from the half-year that ended last: assessments look back at a whole half."""
        today = timezone.localdate()
        year, half = (today.year, "first") if today.month >= 7 else (today.year - 1, "second")
        initial = {"year": year, "half": half, "opened_on": today,
                   "closes_on": today + datetime.timedelta(days=30)}
        return cls(data, initial=initial)


class AssessmentRoundEditForm(forms.ModelForm):
    class Meta:
        model = AssessmentRound
        fields = ["closes_on", "outstanding_count", "excellent_from", "good_from", "fair_from"]
        widgets = {"closes_on": DateInput}


class AdjustForm(forms.Form):
    """One final-points field and one reason field per score: `s<ID>-final`, `s<ID>-reason`."""

    def __init__(self, *args, scores: list[AssessmentScore], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for score in scores:
            final = forms.DecimalField(
                label=score.criterion_name, max_digits=5, decimal_places=1,
                min_value=Decimal(0), max_value=score.max_points, initial=score.final,
                widget=forms.NumberInput(attrs={
                    "step": "0.1", "aria-label": f"{score.criterion_name} · {_('最终得分')}"}),
            )
            reason = forms.CharField(
                label=_("调整理由"), max_length=255, required=False, initial=score.reason,
                widget=forms.TextInput(attrs={
                    "aria-label": f"{score.criterion_name} · {_('调整理由')}"}),
            )
            self.fields[f"s{score.pk}-final"] = final
            self.fields[f"s{score.pk}-reason"] = reason
        self.rows = [(s, self[f"s{s.pk}-final"], self[f"s{s.pk}-reason"]) for s in scores]

    def entries(self, scores: list[AssessmentScore]) -> dict[int, tuple[Decimal, str]]:
        data = self.cleaned_data
        return {s.pk: (data[f"s{s.pk}-final"], data[f"s{s.pk}-reason"]) for s in scores}


class OutstandingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Assessment) -> str:
        return gettext("%(name)s（第%(rank)s名，%(total)s分）") % {
            "name": obj.committee.name, "rank": obj.rank, "total": obj.total}


class CommendationForm(forms.Form):
    assessment = OutstandingChoiceField(label=_("联合党组织"), queryset=Assessment.objects.none())
    secretary = forms.CharField(
        label=_("书记姓名"), max_length=64, required=False,
        help_text=_("不填则取城市党组织登记的书记。"),
    )
    reward = forms.CharField(label=_("奖励"), max_length=128, required=False,
                             help_text=_("如：通报表扬、评为优秀联合党组织书记"))
    promotion = forms.CharField(label=_("提拔任用"), max_length=128, required=False,
                                help_text=_("如：提拔为街道办事处副主任"))
    given_on = forms.DateField(label=_("日期"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label=_("备注"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, round_: AssessmentRound, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = (
            round_.assessments.filter(outstanding=True)
            .select_related("committee", "committee__urban").order_by("rank", "committee__code")
        )

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("reward") and not data.get("promotion"):
            self.add_error("reward", _("请填写奖励或提拔任用情况。"))
        assessment = data.get("assessment")
        if assessment is not None and not data.get("secretary"):
            data["secretary"] = assessment.committee.urban.secretary
            if not data["secretary"]:
                self.add_error("secretary", _("该城市党组织没有登记书记，请填写书记姓名。"))
        return data
