"""The review queue (待审核): town staff see their town's submitted updates, the department
all of them, oldest first; accept one, a selection, or return one with a reason."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.exchange_helpers import read_csv
from tests.factories import MonthlyUpdateFactory, make_committee
from twinning.monthly import rules
from twinning.monthly.models import MonthlyUpdate
from twinning.shared.periods import add_months, format_period

Status = MonthlyUpdate.Status


def _at(days_ago: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days_ago)


@pytest.fixture
def waiting(town, other_town):
    """Submitted updates in two towns, plus an accepted one and a draft that do not wait."""
    period = rules.last_due_period(timezone.localdate())
    earlier = add_months(period, -1)
    here = [make_committee(town=town) for _ in range(3)]
    there = make_committee(town=other_town)
    return {
        "old": MonthlyUpdateFactory(committee=here[0], period=earlier, first_submitted_at=_at(20)),
        "new": MonthlyUpdateFactory(committee=here[1], period=period, first_submitted_at=_at(1)),
        "mid": MonthlyUpdateFactory(committee=here[2], period=period, first_submitted_at=_at(3)),
        "there": MonthlyUpdateFactory(committee=there, period=period, first_submitted_at=_at(2)),
        "accepted": MonthlyUpdateFactory(committee=here[0], period=period,
                                         status=Status.ACCEPTED),
        "draft": MonthlyUpdateFactory(committee=there, period=earlier, status=Status.DRAFT,
                                      first_submitted_at=None),
    }


def test_town_queue_lists_exactly_their_towns_submitted_updates_oldest_first(
    client, town_user, town, waiting, settings
) -> None:
    settings.MONTHLY_REVIEW_FLAG_DAYS = 5
    client.force_login(town_user)
    response = client.get(reverse("monthly_queue"))
    assert response.status_code == 200
    rows = response.context["page"].object_list
    expected = list(
        MonthlyUpdate.objects.filter(status=Status.SUBMITTED, committee__town=town)
        .order_by("submitted_at").values_list("pk", flat=True)
    )
    assert [r.update.pk for r in rows] == expected
    assert expected == [waiting["old"].pk, waiting["mid"].pk, waiting["new"].pk]
    # Waiting longer than the set number of days is flagged.
    assert [r.overdue for r in rows] == [True, False, False]
    body = response.content.decode()
    assert waiting["there"].committee.name not in body
    assert waiting["old"].summary in body  # the figures and summary inline


def test_department_queue_lists_every_town(client, department_user, waiting) -> None:
    client.force_login(department_user)
    rows = client.get(reverse("monthly_queue")).context["page"].object_list
    assert {r.update.pk for r in rows} == {
        waiting[k].pk for k in ("old", "new", "mid", "there")
    }


def test_secretary_and_inspector_cannot_open_the_queue(
    client, secretary_user, inspector_user
) -> None:
    for user in (secretary_user, inspector_user):
        client.force_login(user)
        assert client.get(reverse("monthly_queue")).status_code == 403


def test_accept_a_selection_and_return_one_with_a_reason(
    client, town_user, waiting
) -> None:
    client.force_login(town_user)
    url = reverse("monthly_queue")
    response = client.post(url, {"action": "accept", "ids": [waiting["old"].pk,
                                                             waiting["mid"].pk]})
    assert response.status_code == 302
    for key, status in (("old", Status.ACCEPTED), ("mid", Status.ACCEPTED),
                        ("new", Status.SUBMITTED)):
        waiting[key].refresh_from_db()
        assert waiting[key].status == status
        assert waiting[key].reviewed_by == (town_user if status == Status.ACCEPTED else None)
    response = client.post(url, {"action": "return", "ids": [waiting["new"].pk],
                                 "reason": "数据与台账不符"})
    assert response.status_code == 302
    waiting["new"].refresh_from_db()
    assert waiting["new"].status == Status.RETURNED
    assert waiting["new"].return_reason == "数据与台账不符"


def test_return_without_a_reason_keeps_the_update_waiting(client, town_user, waiting) -> None:
    client.force_login(town_user)
    response = client.post(reverse("monthly_queue"),
                           {"action": "return", "ids": [waiting["new"].pk], "reason": ""},
                           follow=True)
    waiting["new"].refresh_from_db()
    assert waiting["new"].status == Status.SUBMITTED
    assert "退回原因" in response.content.decode()


def test_town_staff_cannot_accept_another_towns_update(client, town_user, waiting) -> None:
    client.force_login(town_user)
    client.post(reverse("monthly_queue"), {"action": "accept", "ids": [waiting["there"].pk]})
    waiting["there"].refresh_from_db()
    assert waiting["there"].status == Status.SUBMITTED


def test_home_todo_shows_the_queue_count(client, town_user, department_user, waiting) -> None:
    client.force_login(town_user)
    todo = client.get(reverse("home")).context["todo"]
    item = next(i for i in todo if i.key.startswith("review"))
    assert "3" in item.text and item.url == reverse("monthly_queue")
    client.force_login(department_user)
    todo = client.get(reverse("home")).context["todo"]
    item = next(i for i in todo if i.key.startswith("review"))
    assert "4" in item.text


def test_completeness_separates_awaiting_review_from_accepted(
    client, town_user, waiting
) -> None:
    client.force_login(town_user)
    period = waiting["new"].period
    response = client.get(reverse("monthly_completeness"), {"month": format_period(period)})
    report = response.context["report"]
    assert report.review["awaiting"] == 2 and report.review["accepted"] == 1
    response = client.get(reverse("monthly_completeness"),
                          {"month": format_period(period), "status": "awaiting"})
    names = {r.committee.pk for r in response.context["page"].object_list}
    assert names == {waiting["new"].committee_id, waiting["mid"].committee_id}


def test_completeness_export_follows_the_review_filter(client, town_user, waiting) -> None:
    client.force_login(town_user)
    period = format_period(waiting["new"].period)
    url = reverse("export_monthly_updates", args=["csv"])
    rows = read_csv(client.get(url, {"month": period, "status": "accepted"}).content)
    assert [row[0] for row in rows[1:]] == [waiting["accepted"].committee.code]
    rows = read_csv(client.get(url, {"month": period, "status": "awaiting"}).content)
    assert sorted(row[0] for row in rows[1:]) == sorted(
        waiting[k].committee.code for k in ("new", "mid")
    )
