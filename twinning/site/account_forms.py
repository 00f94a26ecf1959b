"""Forms of the account pages: the choices a form offers are those the policy lets its user
give (roles, towns, committees), so nobody can bind an account beyond their own reach."""

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from branches.models import Town
from twinning.committees.models import JointCommittee
from twinning.shared import permissions
from twinning.shared.forms import search_field
from twinning.shared.models import Role
from twinning.shared.pickers import PickerSelectMultiple


def _towns(actor: User) -> Any:
    return Town.objects.order_by("code")


def committee_choices(actor: User) -> Any:
    """The committees whose secretaries and inspectors the actor may appoint: those they see."""
    return permissions.visible(
        actor, JointCommittee.objects.filter(dissolved_on__isnull=True)
    ).select_related("town").order_by("town__code", "code")


def committee_label(committee: JointCommittee) -> str:
    return f"{committee.town.name} · {committee.name}"


class CommitteeChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: JointCommittee) -> str:
        return committee_label(obj)


class AccountFields(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("电子邮箱"), required=False,
        help_text=_("填写后，本人可通过邮件重置忘记的密码。"))
    towns = forms.ModelMultipleChoiceField(
        label=_("所属镇街"), queryset=Town.objects.none(), required=False,
        help_text=_("镇街用户必填。"))
    committees = CommitteeChoice(
        label=_("联合党组织"), queryset=JointCommittee.objects.none(), required=False,
        help_text=_("书记和督查组用户必填。"),
        widget=PickerSelectMultiple("pick_account_committee"))

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        if permissions.can(actor, "manage_accounts"):
            self.fields["towns"].queryset = _towns(actor)
        else:
            del self.fields["towns"]
        self.fields["committees"].queryset = committee_choices(actor)


class AccountCreateForm(AccountFields):
    username = forms.CharField(
        label=_("用户名"), max_length=150,
        help_text=_("登录用，字母、数字和 @ . + - _。"))
    role = forms.ChoiceField(label=_("角色"))
    field_order = ["username", "full_name", "role", "towns", "committees", "email"]

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        roles = permissions.assignable_roles(actor)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]


class AccountEditForm(AccountFields):
    def __init__(self, *args: Any, actor: User, account: User, **kwargs: Any) -> None:
        towns, committees = permissions.reach_of(account)
        initial = {"full_name": account.first_name, "email": account.email,
                   "towns": list(towns), "committees": list(committees)}
        super().__init__(*args, actor=actor, initial=initial, **kwargs)
        needed = permissions.scope_needed(permissions.account_role(account))
        for name, scope in (("towns", "town"), ("committees", "committees")):
            if needed != scope:
                self.fields.pop(name, None)


class AccountFilterForm(forms.Form):
    q = search_field(_("账号"), _("用户名或姓名"))
    role = forms.ChoiceField(label=_("角色"), required=False,
                             choices=[("", _("全部角色")), *Role.choices])
    active = forms.ChoiceField(label=_("状态"), required=False, choices=[
        ("", _("全部")), ("yes", _("在用")), ("no", _("已停用"))])
