"""Accounts managed on the site: the department manages every account, town staff the
secretaries and inspectors of their towns; one-time links set a password; every change is in
the accounts' trail."""

import re

from django.contrib.auth.models import User
from django.urls import reverse

from tests.conftest import PASSWORD
from twinning.shared import permissions
from twinning.shared.models import AccountEvent

NEW_PASSWORD = "Zhucheng-new-2026"


def _link(response) -> str:
    found = re.search(r'value="(https?://[^"]+/accounts/link/[^"]+)"', response.content.decode())
    assert found, "the page shows no one-time link"
    return found.group(1).replace("http://testserver", "")


def _set_password(client, link: str, password: str = NEW_PASSWORD):
    page = client.get(link, follow=True)
    assert page.context["validlink"], "the link was refused"
    return client.post(page.redirect_chain[-1][0],
                       {"new_password1": password, "new_password2": password})


def test_department_creates_a_town_user_who_sets_a_password_by_link(
    client, department_user, town
) -> None:
    client.force_login(department_user)
    response = client.post(reverse("account_create"), {
        "username": "zhang.town", "full_name": "张镇街", "role": "town", "towns": [town.pk],
        "email": ""})
    assert response.status_code == 200
    link = _link(response)
    account = User.objects.get(username="zhang.town")
    assert not account.has_usable_password()
    assert permissions.account_role(account) == "town"
    assert list(permissions.reach_of(account)[0]) == [town]
    kinds = list(account.account_events.order_by("id").values_list("kind", "actor__username"))
    assert kinds == [("created", "dept"), ("link", "dept")]

    client.logout()
    # The link refuses a password the validators refuse.
    page = client.get(link, follow=True)
    weak = client.post(page.redirect_chain[-1][0],
                       {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and "密码" in str(weak.context["form"].errors)
    response = client.post(page.redirect_chain[-1][0],
                           {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200 and home.context["user"] == account
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)
    assert not account.profile.must_change_password
    assert account.account_events.filter(kind=AccountEvent.Kind.PASSWORD_SET,
                                         actor=account).exists()
    # Used once.
    client.logout()
    assert client.get(link, follow=True).context["validlink"] is False


def test_a_new_link_voids_the_earlier_one_and_links_expire(
    client, department_user, secretary_user, settings
) -> None:
    client.force_login(department_user)
    first = _link(client.post(reverse("account_link_issue", args=[secretary_user.pk])))
    second = _link(client.post(reverse("account_link_issue", args=[secretary_user.pk])))
    client.logout()
    assert client.get(first, follow=True).context["validlink"] is False
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert client.get(second, follow=True).context["validlink"] is False
    settings.PASSWORD_RESET_TIMEOUT = 3600
    assert client.get(second, follow=True).context["validlink"] is True


def test_the_first_sign_in_after_an_issued_link_forces_a_change(
    client, department_user, secretary_user
) -> None:
    client.force_login(department_user)
    client.post(reverse("account_link_issue", args=[secretary_user.pk]))
    client.logout()
    client.post(reverse("login"), {"username": "secretary", "password": PASSWORD})
    for url in ("/", "/committees/", reverse("my_account")):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("password_change"), url
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_town_staff_manage_only_their_towns_secretaries_and_inspectors(
    client, town_user, department_user, secretary_user, inspector_user, leader_user,
    committee, other_committee, sides
) -> None:
    client.force_login(town_user)
    listed = {a.username for a in client.get(reverse("account_list")).context["page"]}
    assert listed == {"secretary", "inspector", "sec-own"}
    for outsider in (department_user, leader_user, sides["other"].account):
        response = client.get(reverse("account_detail", args=[outsider.pk]))
        assert response.status_code == 404
        assert client.post(reverse("account_active", args=[outsider.pk])).status_code == 404
    outsider = sides["other"].account
    outsider.refresh_from_db()
    assert outsider.is_active
    form = client.get(reverse("account_create")).context["form"]
    assert [c for c, _ in form.fields["role"].choices] == ["secretary", "inspector"]
    assert "towns" not in form.fields
    assert set(form.fields["committees"].queryset) == {committee, *committee.town.committees.all()}
    # Forged choices: a town role, another town's committee.
    for data in ({"role": "town", "committees": [committee.pk]},
                 {"role": "secretary", "committees": [other_committee.pk]},
                 {"role": "department"}):
        response = client.post(reverse("account_create"), {"username": "forged", **data})
        assert response.status_code == 200 and response.context["form"].errors, data
    assert not User.objects.filter(username="forged").exists()
    response = client.post(reverse("account_create"), {
        "username": "li.sec", "role": "secretary", "committees": [committee.pk]})
    assert response.status_code == 200
    made = User.objects.get(username="li.sec")
    assert permissions.can(town_user, "manage_account", made)
    assert not permissions.can(town_user, "manage_account", outsider)
    assert made.account_events.get(kind="created").actor == town_user


def test_deactivated_accounts_cannot_sign_in_until_reactivated(
    client, department_user, secretary_user
) -> None:
    client.force_login(department_user)
    client.post(reverse("account_active", args=[secretary_user.pk]), {"active": "0"})
    secretary_user.refresh_from_db()
    assert not secretary_user.is_active
    # Oneself cannot be deactivated.
    client.post(reverse("account_active", args=[department_user.pk]), {"active": "0"})
    department_user.refresh_from_db()
    assert department_user.is_active
    detail = client.get(reverse("account_detail", args=[secretary_user.pk])).content.decode()
    assert "已停用" in detail and "dept" in detail
    client.logout()
    refused = client.post(reverse("login"), {"username": "secretary", "password": PASSWORD})
    assert refused.status_code == 200
    client.force_login(department_user)
    client.post(reverse("account_active", args=[secretary_user.pk]), {"active": "1"})
    client.logout()
    assert client.post(reverse("login"), {"username": "secretary",
                                          "password": PASSWORD}).status_code == 302
    kinds = list(secretary_user.account_events.values_list("kind", flat=True))
    assert "deactivated" in kinds and "reactivated" in kinds


def test_the_department_changes_a_secretarys_committees(
    client, department_user, secretary_user, committee, other_committee
) -> None:
    client.force_login(department_user)
    response = client.post(reverse("account_edit", args=[secretary_user.pk]), {
        "full_name": "王书记", "email": "wang@example.cn", "committees": [other_committee.pk]})
    assert response.status_code == 302
    assert list(permissions.reach_of(secretary_user)[1]) == [other_committee]
    event = secretary_user.account_events.get(kind="scope")
    assert other_committee.name in event.detail and committee.name in event.detail
    assert event.actor == department_user
