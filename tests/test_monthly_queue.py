"""The review queue (待审核): town staff see their town's submitted updates, the department
all of them, oldest first; accept one, a selection, or return one with a reason."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.exchange_helpers import read_csv
from tests.factories import MonthlyUpdateFactory, make_committee
from tests.page_forms import post_forms
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


REASON = "投入资金与台账不一致"


def _checked(body: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="ids" value="(\d+)" form="queue-bulk" checked',
                                         body)}


def _recorded(update: MonthlyUpdate) -> tuple:
    """How a return is recorded: the update's last history row, against the one before it."""
    last, before = update.history.all()[:2]
    return (last.history_type, last.status, last.return_reason, last.reviewed_by_id,
            last.history_user_id, last.version - before.version, update.history.count())


def test_return_a_selection_confirmed_first_and_recorded_as_single_returns(
    client, town_user, waiting
) -> None:
    client.force_login(town_user)
    url = reverse("monthly_queue")
    asked = client.post(url, {"action": "confirm_return", "bulk": "1", "reason": REASON,
                              "ids": [waiting["old"].pk, waiting["mid"].pk]})
    # Nothing is returned before the confirmation, which names what will be.
    assert asked.status_code == 200
    assert [t.name for t in asked.templates][0] == "twinning/monthly/queue_confirm.html"
    body = asked.content.decode()
    for key in ("old", "mid"):
        waiting[key].refresh_from_db()
        assert waiting[key].status == Status.SUBMITTED
        assert waiting[key].committee.name in body
    assert waiting["new"].committee.name not in body and REASON in body
    confirm = next(f for f in post_forms(body) if "ids" in f.fields)
    done = client.post(url, confirm.data(action="return"), follow=True)
    assert "已退回2份报告，书记会看到退回原因。" in done.content.decode()
    # One at a time through the review page, for comparison.
    single = waiting["new"]
    client.post(reverse("monthly_review", args=[single.committee.code,
                                                format_period(single.period)]),
                {"decision": "return", "note": REASON})
    single.refresh_from_db()
    assert single.status == Status.RETURNED
    for key in ("old", "mid"):
        waiting[key].refresh_from_db()
        assert waiting[key].status == Status.RETURNED
        assert waiting[key].return_reason == REASON
        assert _recorded(waiting[key]) == _recorded(single)
    assert _recorded(single)[3:5] == (town_user.pk, town_user.pk)


def test_a_bulk_return_without_a_reason_says_so_at_the_top_and_keeps_the_selection(
    client, town_user, waiting
) -> None:
    client.force_login(town_user)
    chosen = {waiting["old"].pk, waiting["mid"].pk}
    for action in ("confirm_return", "return"):
        response = client.post(reverse("monthly_queue"),
                               {"action": action, "bulk": "1", "reason": "  ", "ids": chosen})
        assert response.status_code == 200
        body = response.content.decode()
        top = body.index('<ul class="messages">')
        assert "请写明退回原因（至少4个字），书记会看到它。" in body[top:body.index("</ul>", top)]
        assert top < body.index('id="queue-bulk"')
        assert _checked(body) == chosen
        assert MonthlyUpdate.objects.filter(status=Status.RETURNED).count() == 0


def test_nothing_chosen_for_a_bulk_return_is_said(client, town_user, waiting) -> None:
    client.force_login(town_user)
    response = client.post(reverse("monthly_queue"),
                           {"action": "confirm_return", "bulk": "1", "reason": REASON})
    assert "请先勾选要审核的报告。" in response.content.decode()
    assert [t.name for t in response.templates][0] == "twinning/monthly/queue.html"


def test_going_back_from_the_confirmation_keeps_the_selection_and_reason(
    client, town_user, waiting
) -> None:
    client.force_login(town_user)
    chosen = {waiting["old"].pk, waiting["new"].pk}
    response = client.post(reverse("monthly_queue"), {"action": "revise", "bulk": "1",
                                                      "reason": REASON, "ids": chosen})
    body = response.content.decode()
    assert _checked(body) == chosen and f">{REASON}</textarea>" in body
    assert MonthlyUpdate.objects.filter(status=Status.RETURNED).count() == 0


def test_town_staff_bulk_return_never_touches_another_towns_update(
    client, town_user, waiting
) -> None:
    there = waiting["there"]
    history = there.history.count()
    client.force_login(town_user)
    url = reverse("monthly_queue")
    ids = [waiting["old"].pk, there.pk]
    asked = client.post(url, {"action": "confirm_return", "bulk": "1", "reason": REASON,
                              "ids": ids})
    body = asked.content.decode()
    assert waiting["old"].committee.name in body and there.committee.name not in body
    confirm = next(f for f in post_forms(body) if "ids" in f.fields)
    assert confirm.fields["ids"].value == [str(waiting["old"].pk)]
    # Even posted directly, the foreign id is not found, so not returned.
    response = client.post(url, {"action": "return", "bulk": "1", "reason": REASON, "ids": ids},
                           follow=True)
    assert "已退回1份报告" in response.content.decode()
    there.refresh_from_db()
    waiting["old"].refresh_from_db()
    assert (there.status, there.reviewed_by, there.return_reason) == (Status.SUBMITTED, None, "")
    assert there.history.count() == history
    assert waiting["old"].status == Status.RETURNED
