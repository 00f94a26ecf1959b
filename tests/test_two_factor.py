"""Two-factor sign-in: required for department accounts, available to everyone."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from twinning.shared.models import AccountEvent

# Pages of every kind: home, lists, a form, the admin, account pages, a file, a picker.
WALKED = ["/", "/committees/", "/committees/new/", "/members/", "/dashboard/",
          "/bulletins/", "/admin/", "/accounts/", "/accounts/new/", "/account/",
          "/account/password/", "/audit/personal-data/", "/exchange/"]


def _sign_in(client, username: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def _code(device: TOTPDevice, ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `ahead` steps later)."""
    t0 = device.t0 - ahead * device.step
    return f"{totp(device.bin_key, device.step, t0, device.digits):06d}"


def _enrolled(user) -> TOTPDevice:
    from twinning.site.two_factor import second_factor_enrol

    device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    _device, codes = second_factor_enrol(user=user, token=_code(device))
    device.refresh_from_db()
    device.recovery_codes = codes
    return device


def test_a_department_user_without_a_device_reaches_no_page(client, department_user) -> None:
    assert _sign_in(client, "dept").status_code == 302
    setup = reverse("second_factor_setup")
    for url in WALKED:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(setup), (url, response.url)
    # A button's POST is refused the same way.
    response = client.post(reverse("account_create"), {"username": "x", "role": "leader"})
    assert response.status_code == 302 and response.url.startswith(setup)
    assert not department_user.account_events.filter(kind=AccountEvent.Kind.CREATED).exclude(
        account=department_user).exists()
    # Signing out and the language switch stay open.
    assert client.get(setup).status_code == 200


def test_a_department_user_enrols_and_gets_in(client, department_user) -> None:
    _sign_in(client, "dept")
    page = client.get(reverse("second_factor_setup") + "?next=/committees/")
    body = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in body
    device = TOTPDevice.objects.get(user=department_user, confirmed=False)
    assert client.post(reverse("second_factor_setup"),
                       {"token": "000000", "next": "/committees/"}).status_code == 200
    response = client.post(reverse("second_factor_setup"),
                           {"token": _code(device), "next": "/committees/"})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/committees/").status_code == 200
    department_user.profile.refresh_from_db()
    assert department_user.profile.second_factor
    assert department_user.account_events.filter(kind=AccountEvent.Kind.TWO_FACTOR_ON).exists()


def test_with_a_device_the_code_opens_the_session(client, department_user) -> None:
    device = _enrolled(department_user)
    _sign_in(client, "dept")
    verify = reverse("second_factor_verify")
    for url in WALKED:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(verify), url
    # Enrolling another device is no way round the code.
    response = client.get(reverse("second_factor_setup"))
    assert response.status_code == 302 and response.url.startswith(verify)
    wrong = client.post(verify, {"token": "123456"})
    assert "验证码不正确" in wrong.content.decode()
    assert client.get("/").status_code == 302
    # A failure holds the next try back for a second (django-otp's throttling): right away,
    # even the right code is refused; once the second has passed it is accepted.
    assert client.post(verify, {"token": _code(device, ahead=1)}).status_code == 200
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=10))
    response = client.post(verify, {"token": _code(device, ahead=1), "next": "/committees/"})
    assert response.status_code == 302 and response.url == "/committees/"
    for url in WALKED:
        assert client.get(url).status_code == 200, url


def test_a_code_is_accepted_once(client, department_user) -> None:
    device = _enrolled(department_user)
    code = _code(device, ahead=1)
    _sign_in(client, "dept")
    assert client.post(reverse("second_factor_verify"), {"token": code}).status_code == 302
    client.logout()
    _sign_in(client, "dept")
    response = client.post(reverse("second_factor_verify"), {"token": code})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_a_recovery_code_works_once(client, department_user) -> None:
    device = _enrolled(department_user)
    code = device.recovery_codes[3]
    _sign_in(client, "dept")
    response = client.post(reverse("second_factor_verify"), {"token": code})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert not StaticToken.objects.filter(token=code).exists()
    assert StaticToken.objects.filter(device__user=department_user).count() == 9
    assert department_user.account_events.filter(kind=AccountEvent.Kind.RECOVERY_USED).count() == 1
    client.logout()
    _sign_in(client, "dept")
    response = client.post(reverse("second_factor_verify"), {"token": code})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert client.get("/").status_code == 302


def test_a_department_user_cannot_turn_it_off(client, department_user) -> None:
    client.force_login(department_user)
    client.post(reverse("second_factor_off"))
    assert TOTPDevice.objects.filter(user=department_user, confirmed=True).exists()


@pytest.mark.parametrize("role", ["town", "secretary"])
def test_others_may_enrol_and_then_must_pass_it(client, personas, role) -> None:
    user = personas[role]
    _sign_in(client, role)
    assert client.get("/").status_code == 200  # not required
    device = _enrolled(user)
    client.logout()
    _sign_in(client, role)
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(
        reverse("second_factor_verify"))
    client.post(reverse("second_factor_verify"), {"token": _code(device, ahead=1)})
    assert client.get("/").status_code == 200
    # They may turn it off again; then the password alone signs them in.
    client.post(reverse("second_factor_off"))
    client.logout()
    _sign_in(client, role)
    assert client.get("/").status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_an_administrator_resets_a_lost_phone(client, department_user, secretary_user) -> None:
    _enrolled(secretary_user)
    client.force_login(department_user)
    client.post(reverse("account_second_factor_reset", args=[secretary_user.pk]))
    assert not TOTPDevice.objects.filter(user=secretary_user).exists()
    event = secretary_user.account_events.get(kind=AccountEvent.Kind.TWO_FACTOR_OFF)
    assert event.actor == department_user
    client.logout()
    _sign_in(client, "secretary")
    assert client.get("/").status_code == 200
