"""What every signed-in request reads (the session, the user with their role and unread notices,
twinning/site/backends.py) still ends a session when it must and counts the right notices."""

import re

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from reports.bulletins.models import Notification


def _badge(client) -> str | None:
    page = client.get(reverse("bulletin_list")).content.decode()
    found = re.search(r'class="badge warn">(\d+)<', page)
    return found.group(1) if found else None


def test_the_badge_counts_the_users_own_unread_notices(client, town_user, leader_user) -> None:
    Notification.objects.create(user=town_user, text="一")
    Notification.objects.create(user=town_user, text="二")
    Notification.objects.create(user=town_user, text="已读", read_at=timezone.now())
    Notification.objects.create(user=leader_user, text="别人的")
    client.force_login(town_user)
    assert _badge(client) == "2"
    client.post(reverse("notification_list"))
    assert _badge(client) is None


def test_a_password_changed_elsewhere_ends_the_session(client, town_user) -> None:
    client.force_login(town_user)
    assert client.get(reverse("bulletin_list")).status_code == 200
    user = User.objects.get(pk=town_user.pk)
    user.set_password("Another-password-42")
    user.save()
    assert client.get(reverse("bulletin_list")).status_code == 302


def test_signing_out_ends_the_session_for_its_cookie(client, town_user) -> None:
    client.force_login(town_user)
    cookie = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    client.cookies["sessionid"] = cookie
    assert client.get(reverse("bulletin_list")).status_code == 302


def test_a_deactivated_account_opens_no_page_in_an_open_session(client, town_user) -> None:
    client.force_login(town_user)
    User.objects.filter(pk=town_user.pk).update(is_active=False)
    assert client.get(reverse("bulletin_list")).status_code == 302


def _nav(client, name: str) -> str:
    page = client.get(reverse(name)).content.decode()
    return re.search(r"<nav .*?</nav>", page, re.S).group(0)


def test_the_kept_navigation_follows_the_users_rights_and_the_page(
    client, department_user, town_user
) -> None:
    client.force_login(department_user)
    assert "查阅记录" in _nav(client, "bulletin_list")
    client.force_login(town_user)
    town_nav = _nav(client, "bulletin_list")
    assert "查阅记录" not in town_nav
    assert re.search(r'href="/bulletins/"\s+class="active"', town_nav)
    dashboard_nav = _nav(client, "dashboard")
    assert re.search(r'href="/dashboard/"\s+class="active"', dashboard_nav)
    assert not re.search(r'href="/bulletins/"\s+class="active"', dashboard_nav)


def test_an_expired_session_opens_no_page(client, town_user) -> None:
    from django.contrib.sessions.models import Session

    client.force_login(town_user)
    assert client.get(reverse("bulletin_list")).status_code == 200
    Session.objects.filter(session_key=client.cookies["sessionid"].value).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1))
    assert client.get(reverse("bulletin_list")).status_code == 302


def test_the_user_read_by_fixed_sql_is_the_user_a_queryset_reads(
    town_user, department_user
) -> None:
    from django.contrib.auth.models import AnonymousUser

    from twinning.site.backends import ProgrammeBackend

    Notification.objects.create(user=town_user, text="一")
    for expected in (town_user, department_user):
        expected = User.objects.select_related("profile").get(pk=expected.pk)
        read = ProgrammeBackend().get_user(expected.pk)
        for model, a, b in ((User, read, expected), (type(expected.profile), read.profile,
                                                     expected.profile)):
            for field in model._meta.concrete_fields:
                assert getattr(a, field.attname) == getattr(b, field.attname), field.name
                assert type(getattr(a, field.attname)) is type(getattr(b, field.attname))
        assert read.profile.user is read
    assert ProgrammeBackend().get_user(10**9) is None
    assert ProgrammeBackend().get_user("not a number") is None
    assert not isinstance(ProgrammeBackend().get_user(town_user.pk), AnonymousUser)


def test_an_account_without_a_profile_signs_in_without_a_role(client, town_user) -> None:
    from twinning.shared.models import Profile
    from twinning.site.backends import ProgrammeBackend

    Profile.objects.filter(user=town_user).delete()
    read = ProgrammeBackend().get_user(town_user.pk)
    assert not hasattr(read, "profile")
    client.force_login(town_user)
    assert client.get(reverse("dashboard")).status_code == 403


def test_another_users_device_in_the_session_passes_no_second_factor(
    client, department_user, town_user
) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import pass_second_factor

    client.force_login(department_user)
    pass_second_factor(client, department_user)
    assert client.get(reverse("bulletin_list")).status_code == 200
    theirs = TOTPDevice.objects.create(user=town_user, name="他人", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = theirs.persistent_id
    session.save()
    assert client.get(reverse("bulletin_list")).status_code == 302
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = "otp_totp.totpdevice/not-a-number"
    session.save()
    assert client.get(reverse("bulletin_list")).status_code == 302
