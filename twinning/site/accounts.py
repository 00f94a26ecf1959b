"""Accounts: a login with one role and its reach (the add_user command uses it)."""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from branches.models import Town
from twinning.committees.models import JointCommittee


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str,
    towns: Sequence[Town] = (),
    committees: Sequence[JointCommittee] = (),
) -> User:
    """Create a login with one role and its reach; validates the password like the site does."""
    from django.contrib.auth.password_validation import validate_password

    from twinning.shared import permissions
    from twinning.shared.models import Role

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
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名「%(name)s」已存在。") % {"name": username}})
    needed = permissions.scope_needed(role)
    if needed == "town" and not towns:
        raise ValidationError({"town": _("镇街用户须指定所属镇街。")})
    if needed == "committees" and not committees:
        raise ValidationError({"committee": _("书记和督查组用户须指定联合党组织。")})
    # Department staff work in the admin too.
    user = User(username=username, is_staff=permissions.GRANTS["admin"] == {role})
    validate_password(password, user)
    user.set_password(password)
    user.save()
    permissions.grant_role(user, role, towns=towns, committees=committees)
    return user


