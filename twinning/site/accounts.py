"""Accounts: a login with one role and its reach, and what happens to it afterwards (the
add_user command and the account pages use these services). Every change is written to the
accounts' audit trail (`AccountEvent`): who, when, to whom, what."""

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from branches.models import Town
from twinning.committees.models import JointCommittee
from twinning.shared import permissions
from twinning.shared.models import AccountEvent, Profile, Role


class AccountLinkTokens(PasswordResetTokenGenerator):
    """Tokens of the one-time links an administrator issues.

    Django's reset token already dies once used (it hashes the password and the last login,
    which setting a password changes) and after PASSWORD_RESET_TIMEOUT; this one also hashes
    when the latest link was issued, so a new link voids the ones before it, and has its own
    salt, so a link and a reset e-mail never stand for each other.
    """

    key_salt = "twinning.site.accounts.AccountLinkTokens"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        profile = getattr(user, "profile", None)
        issued = profile.link_issued_at if profile else None
        stamp = "" if issued is None else issued.isoformat()
        return super()._make_hash_value(user, timestamp) + stamp


account_link_tokens = AccountLinkTokens()


def record(account: User, kind: str, actor: User | None = None, detail: str = "") -> None:
    AccountEvent.objects.create(account=account, actor=actor, kind=kind, detail=detail[:500])


def _reach_text(towns: Sequence[Town], committees: Sequence[JointCommittee]) -> str:
    return "、".join([t.name for t in towns] + [c.name for c in committees])


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str | None = None,
    towns: Sequence[Town] = (),
    committees: Sequence[JointCommittee] = (),
    email: str = "",
    full_name: str = "",
    actor: User | None = None,
) -> User:
    """Create a login with one role and its reach.

    With a password (the add_user command) it is validated like the site does; without one
    the account cannot sign in until its holder sets a password through a one-time link
    (`link_issue`).
    """
    from django.contrib.auth.password_validation import validate_password

    if role not in Role.values:
        raise ValidationError(
            {
                "role": _("未知角色「%(role)s」，可选：%(roles)s。")
                % {"role": role, "roles": "、".join(Role.values)}
            }
        )
    if not username:
        raise ValidationError({"username": _("用户名不能为空。")})
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as error:
        raise ValidationError({"username": error.messages}) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名「%(name)s」已存在。") % {"name": username}})
    needed = permissions.scope_needed(role)
    if needed == "town" and not towns:
        raise ValidationError({"towns": _("镇街用户须指定所属镇街。")})
    if needed == "committees" and not committees:
        raise ValidationError({"committees": _("书记和督查组用户须指定联合党组织。")})
    # Department staff work in the admin too.
    user = User(username=username, email=email, first_name=full_name,
                is_staff=permissions.GRANTS["admin"] == {role})
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.save()
    permissions.grant_role(user, role, towns=towns, committees=committees)
    record(user, AccountEvent.Kind.CREATED, actor,
           f"{Role(role).label} {_reach_text(towns, committees)}".strip())
    return user


def _locked(account: User) -> User:
    return User.objects.select_for_update(of=("self",)).select_related("profile").get(
        pk=account.pk)


@transaction.atomic
def account_update(
    *,
    account: User,
    actor: User | None,
    email: str,
    full_name: str,
    towns: Sequence[Town] = (),
    committees: Sequence[JointCommittee] = (),
) -> User:
    """Change an account's name, e-mail and reach (towns or committees, by its role)."""
    account = _locked(account)
    needed = permissions.scope_needed(permissions.account_role(account))
    if needed == "town" and not towns:
        raise ValidationError({"towns": _("镇街用户须指定所属镇街。")})
    if needed == "committees" and not committees:
        raise ValidationError({"committees": _("书记和督查组用户须指定联合党组织。")})
    old_towns, old_committees = (list(q) for q in permissions.reach_of(account))
    changes = []
    if (account.email, account.first_name) != (email, full_name):
        account.email, account.first_name = email, full_name
        account.save(update_fields=["email", "first_name"])
        changes.append(f"{full_name} {email}".strip())
    permissions.set_reach(account, towns=towns, committees=committees)
    new_towns, new_committees = (list(q) for q in permissions.reach_of(account))
    if (set(new_towns), set(new_committees)) != (set(old_towns), set(old_committees)):
        changes.append(_("范围：%(old)s → %(new)s") % {
            "old": _reach_text(old_towns, old_committees) or "—",
            "new": _reach_text(new_towns, new_committees) or "—"})
    if changes:
        record(account, AccountEvent.Kind.SCOPE_CHANGED, actor, "；".join(changes))
    return account


@transaction.atomic
def account_set_active(*, account: User, actor: User, active: bool) -> User:
    """Deactivate an account (it can no longer sign in; its history stays) or reactivate it."""
    if account.pk == actor.pk and not active:
        raise ValidationError(_("不能停用自己的账号。"))
    account = _locked(account)
    if account.is_active == active:
        return account
    account.is_active = active
    account.save(update_fields=["is_active"])
    record(account, AccountEvent.Kind.REACTIVATED if active else AccountEvent.Kind.DEACTIVATED,
           actor)
    return account


def link_path(account: User) -> str:
    """The path of a fresh one-time link for `account` (valid for PASSWORD_RESET_TIMEOUT)."""
    return reverse("account_link", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(account.pk)),
        "token": account_link_tokens.make_token(account),
    })


@transaction.atomic
def link_issue(*, account: User, actor: User | None) -> str:
    """Issue a one-time link for `account` to set its password; returns the link's path.

    Earlier links stop working, and the next sign-in (by the link or the old password) must
    choose a new password first.
    """
    account = _locked(account)
    if not account.is_active:
        raise ValidationError(_("账号已停用，请先重新启用。"))
    Profile.objects.filter(user=account).update(
        must_change_password=True, link_issued_at=timezone.now())
    account.profile.refresh_from_db()
    record(account, AccountEvent.Kind.LINK_ISSUED, actor)
    return link_path(account)


@transaction.atomic
def password_save(*, form: Any, kind: str = AccountEvent.Kind.PASSWORD_CHANGED) -> User:
    """Save the password a holder chose (Django's change or set-password form, validated
    against AUTH_PASSWORD_VALIDATORS): the forced change is done, and the trail says so."""
    account = form.save()
    Profile.objects.filter(user=account).update(must_change_password=False)
    if hasattr(account, "profile"):
        account.profile.must_change_password = False
    record(account, kind, account)
    return account


def must_change_password(user: Any) -> bool:
    profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
    return bool(profile and profile.must_change_password)
