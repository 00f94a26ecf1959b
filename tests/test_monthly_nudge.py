"""催报: town staff and the department remind committees that have not filed a month, from
the completeness page; once per committee, month and day; recorded and shown on the page."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import MonthlyUpdateFactory, make_committee
from twinning.monthly import rules
from twinning.monthly.models import MonthlyNudge, MonthlyUpdate
from twinning.shared.models import ReminderDelivery, ReminderLog, Role
from twinning.shared.periods import format_period
from twinning.site.accounts import user_create

Status = MonthlyUpdate.Status
TODAY_BADGE = '<span class="badge warn">今日已催报</span>'


@pytest.fixture
def period() -> datetime.date:
    return rules.last_due_period(timezone.localdate())


@pytest.fixture
def reachable(secretary_user, committee):
    """The committee's secretary has an e-mail address: a 催报 reaches them by e-mail."""
    secretary_user.email = "shuji@example.cn"
    secretary_user.save()
    return secretary_user


def _secretary(username: str, committee) -> None:
    user = user_create(username=username, role=Role.SECRETARY, password=PASSWORD,
                       committees=[committee])
    user.email = f"{username}@example.cn"
    user.save()


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def _one(committee, period) -> str:
    return reverse("monthly_nudge_one", args=[committee.code, format_period(period)])


def test_a_second_nudge_the_same_day_sends_nothing_more(
    client, town_user, committee, reachable, period, mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    client.force_login(town_user)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(_one(committee, period))
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(_one(committee, period))
    assert first.status_code == second.status_code == 302
    assert _messages(first) == ["已向 1 个联合党组织发送催报，0 个今日已催报。"]
    assert _messages(second)[-1] == "已向 0 个联合党组织发送催报，1 个今日已催报。"
    assert MonthlyNudge.objects.count() == 1
    (mail,) = mailoutbox
    assert mail.to == ["shuji@example.cn"]
    assert f"town催报：{committee.name}" in mail.body
    assert ReminderDelivery.objects.get().key == f"nudge:{timezone.localdate().isoformat()}"
    assert ReminderLog.objects.get().key == f"nudge:{committee.pk}:{format_period(period)}"
    assert first.url == f"{reverse('monthly_completeness')}?month={format_period(period)}"


def test_the_database_allows_one_nudge_per_committee_month_and_day(committee, period) -> None:
    today = timezone.localdate()
    MonthlyNudge.objects.create(committee=committee, period=period, sent_on=today)
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyNudge.objects.create(committee=committee, period=period, sent_on=today)
    MonthlyNudge.objects.create(committee=committee, period=period,
                                sent_on=today - datetime.timedelta(days=1))


def test_town_staff_cannot_nudge_another_towns_committee(
    client, town_user, secretary_user, other_committee, committee, period,
) -> None:
    _secretary("other-shuji", other_committee)
    client.force_login(town_user)
    assert client.get(_one(other_committee, period)).status_code == 404
    assert client.post(_one(other_committee, period)).status_code == 404
    client.force_login(secretary_user)
    assert client.post(_one(committee, period)).status_code == 403
    assert client.post(reverse("monthly_nudge")).status_code == 403
    assert not MonthlyNudge.objects.exists()


def test_the_bulk_nudge_reaches_only_the_towns_committees_not_filed(
    client, town_user, committee, second_committee, other_committee, reachable, period,
    mailoutbox, django_capture_on_commit_callbacks,
) -> None:
    """Not filed: nothing yet, a draft or a returned update; a submitted one is filed."""
    third, fourth = make_committee(town=committee.town), make_committee(town=committee.town)
    for other in (second_committee, other_committee, third, fourth):
        _secretary(f"shuji-{other.code.lower()}", other)
    MonthlyUpdateFactory(committee=second_committee, period=period)  # submitted
    MonthlyUpdateFactory(committee=third, period=period, status=Status.DRAFT,
                         first_submitted_at=None)
    MonthlyUpdateFactory(committee=fourth, period=period, status=Status.RETURNED)
    client.force_login(town_user)
    page = client.get(reverse("monthly_nudge"), {"month": format_period(period)})
    listed = page.content.decode()
    assert "确认催报（3个）" in listed
    assert committee.name in listed and third.name in listed and fourth.name in listed
    assert second_committee.name not in listed and other_committee.name not in listed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monthly_nudge"), {"month": format_period(period)})
    assert _messages(response) == ["已向 3 个联合党组织发送催报，0 个今日已催报。"]
    assert set(MonthlyNudge.objects.values_list("committee__code", flat=True)) == {
        committee.code, third.code, fourth.code}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        ["shuji@example.cn", f"shuji-{third.code.lower()}@example.cn",
         f"shuji-{fourth.code.lower()}@example.cn"])


def test_the_bulk_nudge_follows_the_pages_filters(
    client, department_user, committee, other_committee, reachable, period,
    django_capture_on_commit_callbacks,
) -> None:
    _secretary("other-shuji", other_committee)
    client.force_login(department_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monthly_nudge"), {
            "month": format_period(period), "town": other_committee.town.code})
    assert list(MonthlyNudge.objects.values_list("committee", flat=True)) == [other_committee.pk]
    assert response.url == (f"{reverse('monthly_completeness')}?month={format_period(period)}"
                            f"&town={other_committee.town.code}")


def test_a_committee_without_a_secretary_is_said_and_not_recorded(
    client, department_user, committee, period,
) -> None:
    client.force_login(department_user)
    response = client.post(_one(committee, period))
    assert _messages(response) == [
        "已向 0 个联合党组织发送催报，0 个今日已催报，1 个尚无书记账号，未能催报。"]
    assert not MonthlyNudge.objects.exists()


def test_a_filed_month_needs_no_nudge(client, town_user, committee, reachable, period) -> None:
    MonthlyUpdateFactory(committee=committee, period=period)
    client.force_login(town_user)
    page = client.get(_one(committee, period))
    assert f"{committee.name}已报送" in page.content.decode()
    assert "确认催报" not in page.content.decode()
    client.post(_one(committee, period))
    assert not MonthlyNudge.objects.exists()


def test_the_nudge_is_recorded_and_shown_on_the_completeness_page(
    client, town_user, committee, second_committee, reachable, period,
    django_capture_on_commit_callbacks,
) -> None:
    today = timezone.localdate()
    earlier = MonthlyNudge.objects.create(committee=committee, period=period,
                                          sent_on=today - datetime.timedelta(days=1))
    client.force_login(town_user)
    page = client.get(reverse("monthly_completeness"), {"month": format_period(period)})
    body = page.content.decode()
    assert reverse("monthly_nudge") in body
    assert TODAY_BADGE not in body
    assert _one(second_committee, period) in body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_one(committee, period))
    nudge = MonthlyNudge.objects.exclude(pk=earlier.pk).get()
    assert (nudge.committee, nudge.period, nudge.sent_on, nudge.sent_by, nudge.recipients) == (
        committee, period, today, town_user, 1)
    assert nudge.history.get().history_user == town_user
    body = client.get(reverse("monthly_completeness"),
                      {"month": format_period(period)}).content.decode()
    at = timezone.localtime(nudge.sent_at).strftime("%m-%d %H:%M")
    assert f"已催报 {at}（town），共2次" in body
    assert body.count(TODAY_BADGE) == 1
    assert _one(committee, period) not in body  # no button once reminded today
    assert _one(second_committee, period) in body


def test_completeness_page_queries_do_not_grow_with_nudges(
    client, town_user, town, period, django_assert_num_queries, figures_not_kept,
) -> None:
    today = timezone.localdate()
    client.force_login(town_user)
    url = f"{reverse('monthly_completeness')}?month={format_period(period)}"
    MonthlyNudge.objects.create(committee=make_committee(town=town), period=period,
                                sent_on=today)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(8):
        nudged = make_committee(town=town)
        for back in range(3):
            MonthlyNudge.objects.create(committee=nudged, period=period,
                                        sent_on=today - datetime.timedelta(days=back))
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 9
    assert all(row.nudge is not None for row in response.context["page"].object_list)


def test_the_department_reads_nudges_in_the_admin(client, department_user, committee, period):
    MonthlyNudge.objects.create(committee=committee, period=period,
                                sent_on=timezone.localdate(), sent_by=department_user)
    client.force_login(department_user)
    listing = client.get(reverse("admin:twinning_monthlynudge_changelist"))
    assert listing.status_code == 200
    assert committee.name in listing.content.decode()


def test_a_nudge_for_a_locked_month_says_to_request_reopening_first(
    client, town_user, committee, second_committee, reachable, mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    from twinning.monthly.models import ReopenRequest
    from twinning.shared.periods import add_months

    locked = add_months(rules.last_due_period(timezone.localdate()), -3)
    assert rules.is_locked(locked, timezone.localdate())
    client.force_login(town_user)
    page = client.get(_one(committee, locked)).content.decode()
    assert "已于" in page and "锁定" in page and "申请重新开放" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_one(committee, locked))
    (mail,) = mailoutbox
    assert rules.lock_date(locked).isoformat() in mail.body
    assert "申请重新开放" in mail.body
    # Once the department reopened the month, the secretary is simply asked to file.
    _secretary("shuji2", second_committee)
    ReopenRequest.objects.create(committee=second_committee, period=locked, reason="补报",
                                 status=ReopenRequest.Status.GRANTED)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_one(second_committee, locked))
    (mail,) = [m for m in mailoutbox if m.to == ["shuji2@example.cn"]]
    assert "申请重新开放" not in mail.body
    assert "请尽快报送" in mail.body
