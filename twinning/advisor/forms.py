from django import forms
from django.utils.translation import gettext_lazy as _

from twinning.advisor.models import AdvisorSettings, PairRule


class WeightsForm(forms.ModelForm):
    class Meta:
        model = AdvisorSettings
        fields = ["weight_similarity", "weight_complement", "weight_nearness", "weight_load",
                  "capacity", "committees_per_run"]


class PairRuleForm(forms.Form):
    urban = forms.CharField(label=_("城市党组织编码"), max_length=32)
    village = forms.CharField(label=_("村党组织编码"), max_length=32)
    kind = forms.ChoiceField(label=_("类型"), choices=PairRule.Kind.choices)


class ProposalForm(forms.Form):
    """A proposal as the page shows it; code and name may be edited before accepting."""

    urban = forms.CharField(widget=forms.HiddenInput)
    villages = forms.CharField(widget=forms.HiddenInput)
    code = forms.CharField(label=_("编码"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=128)

