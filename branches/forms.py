from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from branches.models import Branch, Member, Town
from branches.services import BRANCH_FIELDS, MEMBER_FIELDS
from twinning.shared.forms import DateInput
from twinning.shared.pickers import PickerSelect, PickerSelectMultiple


def branch_label(obj: Branch) -> str:
    """A branch as a choice names it: its name, its town if it has one, its code."""
    town = f"（{obj.town.name}）" if obj.town_id else ""
    return f"{obj.name}{town} · {obj.code}"


class BranchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Branch) -> str:
        return branch_label(obj)


def offer_towns() -> QuerySet:
    """The towns the department may offer a city-level unit to: every one."""
    return Town.objects.order_by("code")


class BranchForm(forms.ModelForm):
    """A branch; `offers` (the department's) adds the towns a city-level unit is offered to.
    Without it the town is required: only the department makes a branch city-level."""

    offered_to = forms.ModelMultipleChoiceField(
        label=_("提供给镇街"), queryset=Town.objects.none(), required=False,
        help_text=_("市直企业或部门：所选镇街的工作人员可选它作为联合党组织的城市一方。"),
        widget=PickerSelectMultiple("pick_offer_town"),
    )

    class Meta:
        model = Branch
        fields = BRANCH_FIELDS

    def __init__(self, *args, town_qs, offers: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = town_qs
        if self.instance.pk:
            self.fields["code"].disabled = True
        if offers:
            self.fields["offered_to"].queryset = offer_towns()
            if self.instance.pk:
                self.initial["offered_to"] = list(
                    self.instance.offers.values_list("town_id", flat=True))
        else:
            del self.fields["offered_to"]
            self.fields["town"].required = True


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        field_classes = {"branch": BranchChoiceField}
        widgets = {"branch": PickerSelect("pick_member_branch"), "joined_on": DateInput,
                   "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}

    def __init__(self, *args, branch_qs, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branch_qs
