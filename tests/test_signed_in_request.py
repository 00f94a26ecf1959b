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
