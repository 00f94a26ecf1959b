"""Everyone changes their own password; a forgotten one is reset by e-mail where the account
has an address; the lock-out still applies to signing in."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

NEW_PASSWORD = "Zhucheng-new-2026"


@pytest.mark.parametrize("role", ["town", "secretary", "inspector", "leader", "department"])
def test_everyone_changes_their_own_password(client, personas, role) -> None:
    user = personas[role]
    client.force_login(user)
    page = client.get(reverse("password_change"))
    assert "修改密码" in page.content.decode()
    weak = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 200
    assert "密码长度太短" in weak.content.decode()
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # Still signed in, and the change is in the trail.
    assert client.get(reverse("my_account")).status_code == 200
    assert user.account_events.filter(kind="password_changed", actor=user).exists()


def test_a_forgotten_password_is_reset_by_email(client, secretary_user) -> None:
    User.objects.filter(pk=secretary_user.pk).update(email="sec@example.cn")
    page = client.get(reverse("password_reset"))
    assert page.status_code == 200 and "忘记密码" in page.content.decode()
    response = client.post(reverse("password_reset"), {"email": "sec@example.cn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = re.search(r"https?://testserver(/accounts/reset/\S+)", body).group(1)
    page = client.get(link, follow=True)
    assert page.context["validlink"]
    client.post(page.redirect_chain[-1][0],
                {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    secretary_user.refresh_from_db()
    assert secretary_user.check_password(NEW_PASSWORD)
    assert client.get("/").context["user"] == secretary_user
    client.logout()
    assert client.get(link, follow=True).context["validlink"] is False
    # An address no account has: the same answer, no mail.
    client.post(reverse("password_reset"), {"email": "nobody@example.cn"})
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("name", ["password_reset", "password_reset_done"])
def test_the_signed_out_password_pages_say_nothing_of_the_programme(client, db, name) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert 'name="username"' not in response.content.decode()


def test_a_bad_link_is_refused_in_chinese(client, secretary_user) -> None:
    for name in ("password_reset_confirm", "account_link"):
        page = client.get(reverse(name, args=["MQ", "bad-token"]))
        assert page.status_code == 200
        assert "此链接已失效" in page.content.decode()


def test_the_lock_out_still_applies_after_a_change(client, secretary_user) -> None:
    for _ in range(5):
        client.post(reverse("login"), {"username": "secretary", "password": "wrong-2026-pass"})
    response = client.post(reverse("login"), {"username": "secretary", "password": PASSWORD})
    assert response.status_code == 429
