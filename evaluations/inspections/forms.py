import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from evaluations.inspections.models import InspectionCriterion, Rectification
from evaluations.inspections.selectors import RECTIFICATION_STATES, ScoreLine
from evaluations.inspections.services import score_field, score_range_message
from evaluations.inspections.validators import EVIDENCE_SIGNATURES, validate_evidence_file
from twinning.committees.models import JointCommittee
from twinning.shared.child_rows import ChildRowForm
from twinning.shared.forms import DateInput, MonthField, search_field
from twinning.shared.pickers import PickerSelect

TEXTAREA = {"rows": 3}


class CommitteeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: JointCommittee) -> str:
        return f"{obj.town.name} · {obj.name}"


class InspectionForm(forms.Form):
    """One inspection on one page: the visit, a score for each criterion, the findings.

    The rectification items come with it in `RectificationFormSet`.
    """

    committee = CommitteeChoiceField(
        label=_("联合党组织"), queryset=JointCommittee.objects.none(),
        widget=PickerSelect("pick_inspection_committee"),
    )
    visited_on = forms.DateField(label=_("督查日期"), widget=DateInput)
    team = forms.CharField(
        label=_("督查组成员"), max_length=255,
        help_text=_("参加督查的人员姓名，多人用顿号分隔。"),
    )
    findings = forms.CharField(
        label=_("督查情况"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("发现的主要问题、亮点和总体评价。"),
    )

    def __init__(
        self, *args: Any, lines: Sequence[ScoreLine], committees: QuerySet | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if committees is None:
            del self.fields["committee"]
        else:
            self.fields["committee"].queryset = committees
        self.lines = list(lines)
        for line in self.lines:
            message = score_range_message(line.name, line.max_score)
            self.fields[score_field(line.criterion_id)] = forms.DecimalField(
                label=line.name,
                help_text=line.description,
                min_value=Decimal(0),
                max_value=line.max_score,
                max_digits=5,
                decimal_places=1,
                initial=line.score,
                error_messages={
                    "required": _("请为「%(name)s」打分。") % {"name": line.name},
                    "min_value": message,
                    "max_value": message,
                },
                widget=forms.NumberInput(
                    attrs={"step": "0.1", "min": "0", "max": f"{line.max_score:f}",
                           "inputmode": "decimal", "data-score": ""}
                ),
            )

    def score_fields(self) -> list[tuple[ScoreLine, forms.BoundField]]:
        return [(line, self[score_field(line.criterion_id)]) for line in self.lines]

    def visit_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("committee", "visited_on", "team") if name in self.fields]

    @property
    def max_total(self) -> Decimal:
        return sum((line.max_score for line in self.lines), Decimal(0))

    def scores(self) -> dict[int, Decimal]:
        return {
            line.criterion_id: self.cleaned_data[score_field(line.criterion_id)]
            for line in self.lines
        }


class RectificationForm(ChildRowForm):
    start_message = _("整改期限不能早于督查日期。")

    class Meta:
        model = Rectification
        fields = ("description", "owner", "due_on")
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "due_on": DateInput}
        help_texts = {"owner": _("联合党组织一方的责任人姓名")}


RectificationFormSet = forms.modelformset_factory(
    Rectification, form=RectificationForm, extra=1, can_delete=True
)


ACCEPT = ",".join(EVIDENCE_SIGNATURES)


class EvidenceForm(forms.Form):
    evidence = forms.CharField(
        label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明采取了哪些措施、达到了什么效果。"),
    )
    evidence_file = forms.FileField(
        label=_("佐证材料"), required=False, validators=[validate_evidence_file],
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("可选。PDF、图片（JPG、PNG）或Word、Excel文件，不超过10 MB。"),
    )


class ReviewForm(forms.Form):
    """Close an item, or send the committee's evidence back."""

    CLOSE, RETURN = "close", "return"

    decision = forms.ChoiceField(label=_("审核结果"), widget=forms.RadioSelect)
    closed_on = forms.DateField(label=_("销号日期"), widget=DateInput, required=False)
    note = forms.CharField(
        label=_("意见"), required=False, max_length=255, widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("销号时写明核实情况；退回时写明原因。"),
    )

    def __init__(self, *args: Any, submitted: bool, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(self.CLOSE, _("确认整改到位，销号"))]
        if submitted:
            choices.append((self.RETURN, _("整改不到位，退回")))
        self.fields["decision"].choices = choices
        self.fields["decision"].initial = self.CLOSE
        self.fields["closed_on"].initial = today
        self.submitted = submitted

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        note = (data.get("note") or "").strip()
        if data.get("decision") == self.CLOSE:
            if not data.get("closed_on"):
                self.add_error("closed_on", _("请填写销号日期。"))
            if not self.submitted and not note:
                self.add_error("note", _("整改单位尚未提交整改情况，直接销号须写明核实情况。"))
        elif data.get("decision") == self.RETURN and not note:
            self.add_error("note", _("退回时请写明原因。"))
        return data


class CriterionForm(forms.ModelForm):
    class Meta:
        model = InspectionCriterion
        fields = ("name", "description", "max_score", "order", "active")
        widgets = {"max_score": forms.NumberInput(attrs={"step": "0.5", "min": "0.5"}),
                   "order": forms.NumberInput(attrs={"min": "0"})}
        # The page explains what switching a criterion off does, once for all rows.
        help_texts = {"active": ""}


RubricFormSet = forms.modelformset_factory(
    InspectionCriterion, form=CriterionForm, extra=1, can_delete=False
)


class _ReachFilterForm(forms.Form):
    """Filters every list within a user's reach has: town and committee."""

    town = forms.ChoiceField(label=_("镇街"), required=False)
    q = search_field(_("联合党组织"), _("名称或编码"))

    def __init__(self, *args: Any, towns: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [("", _("全部")), *((t.code, t.name) for t in towns)]


class InspectionFilterForm(_ReachFilterForm):
    month = MonthField(label=_("督查月份"), required=False)
    min_score = forms.DecimalField(label=_("最低分"), required=False, min_value=0,
                                   widget=forms.NumberInput(attrs={"step": "any"}))
    max_score = forms.DecimalField(label=_("最高分"), required=False, min_value=0,
                                   widget=forms.NumberInput(attrs={"step": "any"}))
    field_order = ("month", "town", "q", "min_score", "max_score")


STATE_LABELS = {"open": _("整改中"), "awaiting": _("待销号确认"), "closed": _("已销号")}


class RectificationFilterForm(_ReachFilterForm):
    state = forms.ChoiceField(
        label=_("状态"), required=False,
        choices=[("", _("全部")), *((s, STATE_LABELS[s]) for s in RECTIFICATION_STATES)],
    )
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)
    due_before = forms.DateField(label=_("期限早于"), required=False, widget=DateInput)
    field_order = ("state", "overdue", "town", "q", "due_before")
