from django import forms

from twinning.forms import DateInput

from .models import Branch, Member
from .services import BRANCH_FIELDS, MEMBER_FIELDS


class BranchForm(forms.ModelForm):
    class Meta:
        model = Branch
        fields = BRANCH_FIELDS

    def __init__(self, *args, town_qs, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = town_qs
        if self.instance.pk:
            self.fields["code"].disabled = True


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        widgets = {"joined_on": DateInput}

    def __init__(self, *args, branch_qs, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branch_qs
