
from django import forms
from django.utils.translation import gettext_lazy as _

from branches.forms import BranchChoiceField
from branches.models import Branch
from twinning.committees.models import JointCommittee
from twinning.shared import permissions
from twinning.shared.forms import DateInput
from twinning.shared.pickers import PickerSelect, PickerSelectMultiple


class BranchMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Branch) -> str:
        return f"{obj.town.name} · {obj.name} · {obj.code}"


class CommitteeForm(forms.Form):
    code = forms.CharField(label=_("编码"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=128)
    urban = BranchChoiceField(
        label=_("城市党组织"), queryset=Branch.objects.none(),
        widget=PickerSelect("pick_urban_branch"),
        error_messages={"invalid_choice": permissions.URBAN_OUT_OF_REACH},
    )
    villages = BranchMultipleChoiceField(
        label=_("联建村"),
        queryset=Branch.objects.none(),
        help_text=_("选择2至4个同一镇街、尚未加入其他联合党组织的村。"),
        widget=PickerSelectMultiple("pick_village"),
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
    village = BranchChoiceField(label=_("村党组织"), queryset=Branch.objects.none(),
                                widget=PickerSelect("committee_pick_village"))
    joined_on = forms.DateField(label=_("加入日期"), widget=DateInput)

    def __init__(self, *args, committee: JointCommittee, village_qs, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = village_qs
        self.fields["village"].widget.url_args = (committee.code,)


class LeaveForm(forms.Form):
    """Confirms a village leaving, or the whole committee being dissolved."""

    date = forms.DateField(label=_("日期"), widget=DateInput)
    reason = forms.CharField(label=_("原因"), max_length=255)




