"""Forms for aid projects and mutual-help records; the services hold the rules."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from branches.forms import BranchChoiceField
from branches.models import Branch, Member
from twinning.aid import models as aid
from twinning.committees.models import CommitteeVillage, JointCommittee
from twinning.shared.forms import DateInput
from twinning.shared.pickers import PickerSelect


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        # Two members of a branch may share a name: number and year joined tell them apart.
        return f"{obj.name}（{obj.branch.name} · {obj.particulars}）"


def committee_branches(committee: JointCommittee) -> Q:
    """The committee's urban branch and every village that has been in it."""
    villages = CommitteeVillage.objects.filter(committee=committee).values("village_id")
    return Q(pk=committee.urban_id) | Q(pk__in=villages)


class RecordForm(forms.ModelForm):
    """A record of one committee: choices are narrowed to its branches and members; dates use
    the browser's date picker and money fields say their unit."""

    def __init__(self, *args, committee: JointCommittee, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.committee = committee
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
            if isinstance(field, forms.DecimalField):
                field.widget.attrs.update({"inputmode": "decimal", "step": "0.01"})
            if isinstance(field, forms.IntegerField):
                field.widget.attrs.setdefault("inputmode", "numeric")
        self.limit_choices()

    def limit_choices(self) -> None:
        """Narrow the choice fields to the committee; nothing to narrow by default."""

    def branches(self):
        return Branch.objects.filter(committee_branches(self.committee)).select_related("town")

    def members(self, branches):
        return Member.objects.filter(branch__in=branches).select_related("branch").order_by(
            "branch__code", "role", "name"
        )


def funder_choices() -> QuerySet:
    """Who may fund a project: any urban branch (residents' committee, enterprise, unit)."""
    return Branch.objects.exclude(kind=Branch.Kind.VILLAGE).select_related("town").order_by(
        "kind", "code")


class ProjectForm(RecordForm):
    funder = BranchChoiceField(
        label=_("出资方"), queryset=Branch.objects.none(), widget=PickerSelect("pick_funder"),
        help_text=_("本联合党组织的城市党组织，或出资的其他居委会、企业、部门；带动机制随出资方类型确定。"),
    )

    class Meta:
        model = aid.AidProject
        fields = ("title", "category", "funder", "status", "started_on", "finished_on",
                  "investment_planned", "households", "extra_income", "area_mu", "description")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "started_on": _("计划中的项目可填计划开工日期。"),
            "area_mu": _("种植、养殖等项目的面积，可不填。"),
        }

    def limit_choices(self) -> None:
        self.fields["funder"].queryset = funder_choices()
        self.fields["funder"].widget.url_args = (self.committee.code,)
        if not self.instance.pk and not self.initial.get("funder"):
            self.initial["funder"] = self.committee.urban_id


class ProgressForm(RecordForm):
    class Meta:
        model = aid.ProjectProgress
        fields = ("reported_on", "investment", "jobs", "note")
        help_texts = {"investment": _("自上次报告以来新增的实际投资，单位：元。")}


class OutputForm(RecordForm):
    class Meta:
        model = aid.InfrastructureOutput
        fields = ("kind", "quantity", "completed_on", "note")
        help_texts = {
            "quantity": _(
                "单位：硬化道路为公里，路灯为盏，自来水和有线电视为户，办公场所为平方米。"
            ),
        }


class SecondmentForm(RecordForm):
    member = MemberChoiceField(
        label=_("党员"), queryset=Member.objects.none(), required=False,
        help_text=_("从党员名册中选择；不在名册中的可只填姓名。"),
    )
    from_branch = BranchChoiceField(label=_("派出党组织"), queryset=Branch.objects.none())
    to_branch = BranchChoiceField(label=_("挂职党组织"), queryset=Branch.objects.none())

    class Meta:
        model = aid.Secondment
        fields = ("member", "name", "from_branch", "to_branch", "position", "started_on",
                  "ended_on")

    def limit_choices(self) -> None:
        branches = self.branches()
        self.fields["from_branch"].queryset = branches
        self.fields["to_branch"].queryset = branches
        self.fields["member"].queryset = self.members(branches)
        self.fields["name"].required = False

    def clean(self) -> dict:
        data = super().clean()
        if data.get("member") is None and not (data.get("name") or "").strip():
            self.add_error("name", _("请选择党员或填写姓名。"))
        return data


class PairingForm(RecordForm):
    urban_member = MemberChoiceField(label=_("城市党员"), queryset=Member.objects.none())
    village_member = MemberChoiceField(label=_("农村党员"), queryset=Member.objects.none())

    class Meta:
        model = aid.MemberPairing
        fields = ("urban_member", "village_member", "since", "until", "help")

    def limit_choices(self) -> None:
        branches = self.branches()
        self.fields["urban_member"].queryset = self.members(
            branches.filter(pk=self.committee.urban_id))
        self.fields["village_member"].queryset = self.members(
            branches.filter(kind=Branch.Kind.VILLAGE))


class ActivityForm(RecordForm):
    class Meta:
        model = aid.HelpActivity
        fields = ("kind", "held_on", "title", "count", "description")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class HotIssueForm(RecordForm):
    class Meta:
        model = aid.HotIssue
        fields = ("year", "title", "status", "solved_on", "description")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class GovernanceForm(RecordForm):
    village = BranchChoiceField(label=_("村党组织"), queryset=Branch.objects.none())

    class Meta:
        model = aid.GovernanceRecord
        fields = ("village", "kind", "count", "done_on", "note")
        help_texts = {"count": _("班子调整每条记录为1；规章制度、工作流程填写项数。")}

    def limit_choices(self) -> None:
        self.fields["village"].queryset = self.branches().filter(kind=Branch.Kind.VILLAGE)
