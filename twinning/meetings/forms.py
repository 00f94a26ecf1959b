from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from twinning.committees.models import JointCommittee
from twinning.meetings.models import ANSWER_MAX_LENGTH, ActionItem, JointMeeting
from twinning.meetings.selectors import ACTION_STATES, ANSWER_STATES
from twinning.shared.child_rows import ChildRowForm
from twinning.shared.forms import DateInput, search_field
from twinning.shared.pickers import PickerRows, PickerSelect


class MeetingForm(forms.ModelForm):
    class Meta:
        model = JointMeeting
        fields = ("held_on", "attendees", "topics", "decisions")
        widgets = {
            "held_on": DateInput,
            "attendees": forms.Textarea(attrs={"rows": 3}),
            "topics": forms.Textarea(attrs={"rows": 4}),
            "decisions": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "attendees": _("出席的单位和人员。"),
            "topics": _("每行一个议题。"),
            "decisions": _("会议研究确定的事项；需要跟踪办理的请在下方逐项列为任务。"),
        }


class CommitteeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: JointCommittee) -> str:
        return committee_label(obj)


def committee_label(committee: JointCommittee) -> str:
    return f"{committee.name} · {committee.code}"


class ActionItemForm(ChildRowForm):
    start_message = _("完成时限不能早于会议日期。")

    class Meta:
        model = ActionItem
        fields = ("description", "owner", "committee", "due_on")
        field_classes = {"committee": CommitteeField}
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "due_on": DateInput,
                   "committee": PickerSelect("pick_action_item_committee")}
        help_texts = {"committee": _("不涉及具体联合党组织的不填。")}
        error_messages = {"committee": {
            "invalid_choice": _("所选联合党组织不存在或已撤销，请重新选择。")}}

    def __init__(
        self, *args: Any, committees: QuerySet, meeting: JointMeeting | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["committee"]
        field.queryset = committees
        if meeting is not None:
            # The meeting's own picker: it also offers what an open item of it still names.
            field.widget.url_name = "meeting_pick_committee"
            field.widget.url_args = (meeting.pk,)


class ActionItemRows(PickerRows, forms.BaseModelFormSet):
    picker_fields = ("committee",)


ActionItemFormSet = forms.modelformset_factory(
    ActionItem, form=ActionItemForm, formset=ActionItemRows, extra=1, can_delete=True
)


class ActionItemDoneForm(forms.Form):
    done_on = forms.DateField(label=_("办结日期"), widget=DateInput)
    result = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 4}))


class ActionItemAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("办理情况"), max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("简要写明做了什么、进展如何；组织部办结前可以随时修改。"),
    )
    done = forms.BooleanField(label=_("已办理完成，报请组织部办结"), required=False)


class ActionItemReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回理由"), max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("写明答复缺什么、要补充什么；联合党组织书记会在首页待办中看到。"),
    )


class MeetingFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False, empty_value=None)
    q = search_field(_("搜索"), _("议题、议定事项或参会人员"))

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("全部")), *((y, f"{y}年") for y in years)]


STATE_LABELS = {"open": _("办理中"), "overdue": _("已逾期"), "done": _("已办结")}
ANSWER_LABELS = {"unanswered": _("未答复"), "answered": _("已答复")}


class ActionItemFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"), required=False,
        choices=[("", _("全部")), *((s, STATE_LABELS[s]) for s in ACTION_STATES)],
    )
    answer = forms.ChoiceField(
        label=_("答复"), required=False,
        choices=[("", _("全部")), *((s, ANSWER_LABELS[s]) for s in ANSWER_STATES)],
    )
    q = search_field(_("搜索"), _("任务、责任人或联合党组织"))
