"""Two-factor sign-in (django-otp): a TOTP device in an authenticator app, and recovery codes
(django-otp's static device) for when the phone is lost.

A user has at most one TOTP device and one static device, both named "default". An enrolment
starts an unconfirmed TOTP device; a correct code from the app confirms it and creates ten
recovery codes, shown once.
"""

import base64
from io import BytesIO
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from twinning.shared import permissions
from twinning.shared.models import AccountEvent, Profile
from twinning.site.accounts import record

RECOVERY_CODES = 10


def has_second_factor(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def owed(user: Any) -> bool:
    """Whether a signed-in session must pass a second factor: always for the roles that need
    one, and for anyone who enrolled one."""
    if permissions.can(user, "need_second_factor"):
        return True
    profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
    return bool(profile and profile.second_factor)


def _mark(user: User, enrolled: bool) -> None:
    Profile.objects.filter(user=user).update(second_factor=enrolled)
    if hasattr(user, "profile"):
        user.profile.second_factor = enrolled


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed TOTP device an enrolment shows, created on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="default", confirmed=False)


def qr_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code, drawn here (no outside service)."""
    out = BytesIO()
    write_qrcode_image(device.config_url, out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def secret_text(device: TOTPDevice) -> str:
    """The secret as an app asks for it when typed in: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def _new_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="default", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def second_factor_enrol(*, user: User, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending TOTP device with a code from the app; returns it and the new
    recovery codes (shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationError(_("请重新开始设置。"))
    if not device.verify_token(token):
        raise ValidationError({"token": _("验证码不正确，请查看手机上当前的6位数字。")})
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    _mark(user, True)
    record(user, AccountEvent.Kind.TWO_FACTOR_ON, user)
    return device, codes


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    if not has_second_factor(user):
        raise ValidationError(_("尚未启用两步验证。"))
    codes = _new_recovery_codes(user)
    record(user, AccountEvent.Kind.RECOVERY_CODES, user)
    return codes


@transaction.atomic
def second_factor_remove(*, account: User, actor: User) -> None:
    """Remove every device: the holder turning two-factor sign-in off, or an administrator
    resetting it for someone who lost the phone (who must enrol again if it is required)."""
    for device in devices_for_user(account, confirmed=None):
        device.delete()
    _mark(account, False)
    record(account, AccountEvent.Kind.TWO_FACTOR_OFF, actor,
           "" if actor.pk == account.pk else _("管理员重置"))


def second_factor_verify(*, user: User, token: str) -> Any:
    """The device that accepts `token` (the app's code, or a recovery code, which is then
    used up), or None. Devices count failures and throttle them themselves, so this commits
    a failure rather than raising (a rolled-back failure would not count)."""
    token = "".join(token.split())
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice):
            for device in model.objects.devices_for_user(user).select_for_update():
                if device.verify_token(token):
                    if isinstance(device, StaticDevice):
                        record(user, AccountEvent.Kind.RECOVERY_USED, user)
                    return device
    return None


WRONG_TOKEN = gettext_lazy("验证码不正确或已使用。多次错误后须等待更久才能再试。")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("验证码"), max_length=16,
        help_text=gettext_lazy("身份验证器应用中的6位数字，或一个恢复码。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
    )
