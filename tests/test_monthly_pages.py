"""The completeness page, the committee's months and the home page's monthly parts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import MonthlyUpdateFactory, TownFactory, make_committee
from twinning.monthly import rules, selectors
from twinning.monthly.models import MonthlyUpdate
from twinning.monthly.rules import Filing
from twinning.shared.periods import add_months, format_period

Status = MonthlyUpdate.Status


@pytest.fixture
def past_deadline(settings) -> datetime.date:
    """The month before last: its deadline (the 1st of last month) has passed."""
    settings.MONTHLY_DEADLINE_DAY = 1
    settings.MONTHLY_LOCK_DAYS = 60
    return add_months(rules.last_due_period(timezone.localdate()), -1)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _file(committee, period, status=Status.ACCEPTED, late=False):
    due = rules.deadline(period)
    day = due + datetime.timedelta(days=1) if late else due - datetime.timedelta(days=1)
    return MonthlyUpdateFactory(
        committee=committee, period=period, status=status, first_submitted_at=_at(day)
    )


def _city(town, other_town, period):
    """Six committees in two towns with one of each filing status for `period`."""
    committees = [make_committee(town=town) for _ in range(4)]
    committees += [make_committee(town=other_town) for _ in range(2)]
    on_time, late, returned, draft, missing, elsewhere = committees
    _file(on_time, period)
    _file(late, period, late=True)
    _file(returned, period, status=Status.RETURNED)
    MonthlyUpdateFactory(committee=draft, period=period, status=Status.DRAFT,
                         first_submitted_at=None)
    _file(elsewhere, period, status=Status.SUBMITTED)
    return committees


def test_completeness_counts_each_status_by_town_and_names_the_missing(
    client, department_user, town, other_town, past_deadline
) -> None:
    on_time, late, returned, draft, missing, elsewhere = _city(town, other_town, past_deadline)
    client.force_login(department_user)
    response = client.get(reverse("monthly_completeness"), {"month": format_period(past_deadline)})
    report = response.context["report"]
    assert report.period == past_deadline
    assert dict(report.counts) == {Filing.ON_TIME: 2, Filing.LATE: 1, Filing.RETURNED: 1,
                                   Filing.MISSING: 2}
    by_town = {t.town.code: dict(t.counts) for t in report.by_town}
    assert by_town[town.code] == {Filing.ON_TIME: 1, Filing.LATE: 1, Filing.RETURNED: 1,
                                  Filing.MISSING: 1}
    assert by_town[other_town.code] == {Filing.ON_TIME: 1, Filing.MISSING: 1}
    # A draft after the deadline is missing too.
    assert {c.code for c in report.missing} == {draft.code, missing.code}
    body = response.content.decode()
    assert draft.name in body and missing.name in body
    row = next(r for r in report.rows if r.committee == late)
    assert [c.period for c in row.cells] == [add_months(past_deadline, -i)
                                             for i in range(11, -1, -1)]
    assert row.current.filing == Filing.LATE
    link = reverse("monthly_update", args=[late.code, format_period(past_deadline)])
    assert row.current.url == link and f'href="{link}"' in body


def test_town_staff_see_their_town_only_and_filters_narrow_the_list(
    client, town_user, town, other_town, past_deadline
) -> None:
    committees = _city(town, other_town, past_deadline)
    month = format_period(past_deadline)
    client.force_login(town_user)
    report = client.get(reverse("monthly_completeness"), {"month": month}).context["report"]
    assert report.total == 4
    assert {r.committee.town_id for r in report.rows} == {town.pk}
    only_missing = client.get(
        reverse("monthly_completeness"), {"month": month, "status": "missing"}
    )
    assert [r.committee for r in only_missing.context["report"].rows] == [committees[3]]
    elsewhere = client.get(reverse("monthly_completeness"), {"town": other_town.code})
    assert elsewhere.context["report"].total == 0


def test_completeness_for_an_earlier_month_and_a_bad_month(
    client, department_user, committee
) -> None:
    period = datetime.date(2025, 3, 1)
    _file(committee, period, late=True)
    client.force_login(department_user)
    response = client.get(reverse("monthly_completeness"), {"month": "2025-03"})
    assert dict(response.context["report"].counts) == {Filing.LATE: 1}
    bad = client.get(reverse("monthly_completeness"), {"month": "2025-13"})
    assert "不是有效的月份" in bad.content.decode()
    assert bad.context["period"] == rules.last_due_period(timezone.localdate())


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _history(committees, last, months=12):
    for i, committee in enumerate(committees):
        for back in range(months):
            if (i + back) % 5:
                _file(committee, add_months(last, -back), late=back % 3 == 0)


def test_completeness_page_makes_a_fixed_number_of_queries(
    client, department_user, django_assert_num_queries,
    figures_not_kept,
) -> None:
    last = rules.last_due_period(timezone.localdate())
    towns = [TownFactory() for _ in range(3)]
    _history([make_committee(town=towns[0]) for _ in range(2)], last)
    client.force_login(department_user)
    url = reverse("monthly_completeness")
    client.get(url)
    small = _queries(client, url)
    _history([make_committee(town=towns[i % 3]) for i in range(30)], last)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.context["report"].total == 32
    assert len(response.context["report"].by_town) == 3


def test_committee_months_and_home_make_a_fixed_number_of_queries(
    client, secretary_user, department_user, committee, django_assert_num_queries,
    figures_not_kept,
) -> None:
    last = rules.last_due_period(timezone.localdate())
    client.force_login(secretary_user)
    months_url = reverse("monthly_committee", args=[committee.code])
    client.get(months_url)
    small_months, small_home = _queries(client, months_url), _queries(client, reverse("home"))
    _history([committee], last)
    _history([make_committee(town=committee.town) for _ in range(10)], last)
    with django_assert_num_queries(small_months):
        response = client.get(months_url)
    assert len(response.context["months"]) == 12
    with django_assert_num_queries(small_home):
        client.get(reverse("home"))
    client.force_login(department_user)
    client.get(reverse("home"))
    dept_home = _queries(client, reverse("home"))
    _history([make_committee(town=committee.town) for _ in range(10)], last)
    with django_assert_num_queries(dept_home):
        client.get(reverse("home"))


def test_home_shows_the_secretary_this_months_update_and_deadline(
    client, secretary_user, committee, settings
) -> None:
    settings.MONTHLY_LOCK_DAYS = 60
    period = rules.last_due_period(timezone.localdate())
    client.force_login(secretary_user)
    response = client.get(reverse("home"))
    (state,) = response.context["due_months"]
    assert (state.committee, state.period, state.update) == (committee, period, None)
    body = response.content.decode()
    assert f"{period.year}年{period.month}月工作报告" in body
    assert f"报送截止：{rules.deadline(period):%Y-%m-%d}" in body
    assert reverse("monthly_update", args=[committee.code, format_period(period)]) in body


def test_home_shows_the_department_last_months_filing(
    client, department_user, committee, second_committee
) -> None:
    period = rules.last_due_period(timezone.localdate())
    _file(committee, period)
    client.force_login(department_user)
    filing = client.get(reverse("home")).context["filing"]
    assert (filing.period, filing.total, filing.filed) == (period, 2, 1)


def test_committee_months_skip_months_before_the_committee_existed(
    committee, settings
) -> None:
    today = timezone.localdate()
    committee.established_on = add_months(today.replace(day=1), -3)
    committee.save()
    months = selectors.committee_months(committee, today)
    assert [m.period for m in months] == [add_months(today.replace(day=1), -i)
                                          for i in (1, 2, 3)]


def test_filing_counted_in_the_database_equals_the_grid(town, other_town) -> None:
    """filing_counts (home, dashboard, bulletin) and completeness (the page) agree."""
    import datetime as dt
    import random

    from django.utils import timezone

    from tests.factories import MonthlyUpdateFactory, make_committee
    from twinning.committees.models import JointCommittee
    from twinning.monthly import rules
    from twinning.monthly.models import MonthlyUpdate
    from twinning.monthly.selectors import completeness, filed_share, filing_counts

    rng = random.Random(7)
    period = dt.date(2026, 9, 1)
    due = rules.deadline(period)
    for i in range(14):
        committee = make_committee(town=town if i % 2 else other_town)
        roll = rng.choice(["none", "draft", "on_time", "late", "returned", "accepted"])
        if roll == "none":
            continue
        status = {"on_time": "submitted", "late": "submitted"}.get(roll, roll)
        day = due + dt.timedelta(days=3 if roll == "late" else -2)
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 30)))
        MonthlyUpdateFactory(
            committee=committee, period=period, status=status,
            first_submitted_at=None if status == MonthlyUpdate.Status.DRAFT else moment,
        )
    for today in (due - dt.timedelta(days=1), due, due + dt.timedelta(days=1)):
        grid = completeness(JointCommittee.objects.all(), period, today, months=1)
        counted = filing_counts(JointCommittee.objects.all(), period, today)
        assert +counted.counts == +grid.counts, today
        assert [(t.town.pk, +t.counts) for t in counted.by_town] == [
            (t.town.pk, +t.counts) for t in grid.by_town]
        assert counted.missing == grid.missing
        assert filed_share(JointCommittee.objects.all(), period, today) == (
            grid.total, grid.filed)
