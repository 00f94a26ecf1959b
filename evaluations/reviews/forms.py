from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Member
from evaluations.reviews.models import ReviewRound
from evaluations.reviews.services import half_end
from twinning.shared.forms import DateInput


class RoundForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    half = forms.ChoiceField(label=_("半年"), choices=ReviewRound.Half.choices)
    opened_on = forms.DateField(label=_("开始日期"), widget=DateInput)
    closes_on = forms.DateField(
        label=_("截止日期"), widget=DateInput, help_text=_("当天仍可录入，次日起锁定。")
    )

    @classmethod
    def for_today(cls, data: dict | None = None) -> "RoundForm":
        """Starts from the current half-year, open from today to its last day."""
        today = timezone.localdate()
        half = ReviewRound.Half.FIRST if today.month <= 6 else ReviewRound.Half.SECOND
        initial = {"year": today.year, "half": half, "opened_on": today,
                   "closes_on": half_end(today.year, half)}
        return cls(data, initial=initial)


class RoundEditForm(forms.Form):
    closes_on = forms.DateField(
        label=_("截止日期"), widget=DateInput,
        help_text=_("延后截止日期可恢复录入；关闭后不能再修改。"),
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name}（{obj.branch.name} · {obj.get_role_display()}）"


class HelpAssignForm(forms.Form):
    helper = MemberChoiceField(label=_("帮促人"), queryset=Member.objects.none())
    plan = forms.CharField(
        label=_("帮促计划"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("帮促的目标、措施和时间安排。"),
    )
    assigned_on = forms.DateField(label=_("安排日期"), widget=DateInput)

    def __init__(self, *args, helper_qs, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = helper_qs


class FollowUpForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label=_("跟进情况"), widget=forms.Textarea(attrs={"rows": 3}))


class HelpCloseForm(forms.Form):
    closed_on = forms.DateField(label=_("结束日期"), widget=DateInput)
    outcome = forms.CharField(
        label=_("帮促结果"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("如：经帮促已转化，表现合格；或按规定作出组织处置的情况。"),
    )
