"""Twelve months of monthly updates for the demo city, for `load_demo_city`.

The months are the twelve ending with the month before the current one (the local date when
the command runs), so the demo always looks current. Each (committee, month) is decided by its
own seeded random generator, so its content never depends on which other months are loaded,
and rows are keyed by (committee, period): a second run writes nothing, and a run in a later
month only adds the new month. The mix: most filed on time and accepted, some late, a few
returned (some fixed and resubmitted), a few missing; the month being filed now is only partly
filed. Two locked, missing months carry a pending reopen request for the department.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from branches.demo import CHANGE_REASON, DEMO_SEED, Tally
from twinning.aid.outcomes import month_prefill
from twinning.committees.models import JointCommittee
from twinning.monthly import rules
from twinning.monthly.models import MonthlyUpdate, ReopenRequest
from twinning.shared.periods import add_months, month_end

Status = MonthlyUpdate.Status
HISTORY_MONTHS = 12
PENDING_REOPEN_REQUESTS = 2
RETURN_REASONS = (
    "工作小结过于简单，请补充本月开展活动的具体内容和成效。",
    "投入资金与帮扶项目台账不一致，请核对后重新报送。",
    "未写明为群众解决的具体问题，请补充。",
    "结对帮扶人数与上月差异较大，请说明原因。",
)
ACTIVITIES = ("联谊座谈会", "主题党日活动", "党员志愿服务", "文艺下乡演出", "重阳敬老活动")
WORKS = (
    "村内道路硬化",
    "安装路灯",
    "自来水管网改造",
    "村办公场所修缮",
    "农产品销售对接",
    "技能培训",
    "合作社规范提升",
    "环境卫生整治",
)


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    naive = datetime.datetime.combine(day, datetime.time(rng.randint(8, 20), rng.randint(0, 59)))
    return timezone.make_aware(naive)


def _between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _summary(rng: random.Random, update: MonthlyUpdate) -> str:
    parts = []
    if update.meeting_held:
        parts.append("本月召开联合党组织会议一次，研究部署帮扶工作。")
    if update.activities:
        parts.append(f"开展{rng.choice(ACTIVITIES)}等联谊活动{update.activities}次。")
    work = "、".join(rng.sample(WORKS, 2))
    parts.append(f"围绕{work}为群众办实事{update.problems_solved}件。")
    if update.jobs_created:
        parts.append(f"帮助{update.jobs_created}名村民实现就近就业。")
    parts.append("下月将继续推进结对帮扶和项目建设。")
    return "".join(parts)


def _figures(rng: random.Random) -> dict:
    invests = rng.random() < 0.45
    return {
        "meeting_held": rng.random() < 0.9,
        "activities": rng.randint(0, 3),
        "trainings": rng.randint(0, 2),
        "secondments": rng.randint(0, 3),
        "pairings": rng.randint(3, 20),
        "problems_solved": rng.randint(0, 6),
        "investment_yuan": Decimal(rng.randint(4, 400) * 500) if invests else Decimal(0),
        "jobs_created": rng.randint(0, 15) if invests else rng.randint(0, 2),
    }


def plan_update(
    seed: int,
    committee: JointCommittee,
    period: datetime.date,
    today: datetime.date,
    recorded: dict | None = None,
) -> MonthlyUpdate | None:
    """The demo update of one committee's month, or None when it is missing.

    `recorded` holds what the committee's other records say about the month (report once):
    the secretary confirmed those figures, so they replace the invented ones.
    """
    rng = random.Random(f"{seed}:monthly:{committee.code}:{period:%Y-%m}")
    due = rules.deadline(period)
    first_day = month_end(period) + datetime.timedelta(days=1)
    now = timezone.now()
    roll = rng.random()
    current = period == rules.last_due_period(today)
    if current:
        # The month being filed: the share filed grows towards and past the deadline.
        filed_share = (
            0.75
            if today > due
            else 0.35 + 0.4 * (today - first_day).days / max((due - first_day).days, 1)
        )
        if roll >= filed_share + 0.1:
            return None
        kind = "draft" if roll >= filed_share else ("late" if roll > 0.7 else "on_time")
    elif roll < 0.78:
        kind = "on_time"
    elif roll < 0.87:
        kind = "late"
    elif roll < 0.92:
        kind = "resubmitted"
    elif roll < 0.95:
        kind = "returned"
    elif roll < 0.975:
        kind = "draft"
    else:
        return None
    update = MonthlyUpdate(
        committee=committee, period=period, **{**_figures(rng), **(recorded or {})}
    )
    update.summary = _summary(rng, update)
    if kind == "draft":
        update.summary = update.summary[: rng.randint(0, len(update.summary))]
        return update
    if kind == "late":
        day = _between(rng, due + datetime.timedelta(days=1), due + datetime.timedelta(days=9))
    else:
        day = _between(rng, first_day, due)
    submitted = min(_moment(day, rng), now - datetime.timedelta(hours=1))
    update.first_submitted_at = update.submitted_at = submitted
    update.status = Status.SUBMITTED
    reviewed = submitted + datetime.timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 5))
    if reviewed >= now:
        return update
    update.reviewed_at = reviewed
    update.status = Status.ACCEPTED
    if kind in ("returned", "resubmitted"):
        update.status = Status.RETURNED
        update.return_reason = rng.choice(RETURN_REASONS)
        resubmitted = reviewed + datetime.timedelta(days=rng.randint(1, 4))
        if kind == "resubmitted" and resubmitted + datetime.timedelta(days=1) < now:
            update.submitted_at = resubmitted
            update.reviewed_at = resubmitted + datetime.timedelta(days=1)
            update.status = Status.ACCEPTED
    update.version = 2 if update.status == Status.ACCEPTED else 1
    return update


def load(seed: int = DEMO_SEED) -> dict[str, Tally]:
    """Add the demo city's last twelve months of updates that are not there yet."""
    today = timezone.localdate()
    last = rules.last_due_period(today)
    periods = [add_months(last, -i) for i in range(HISTORY_MONTHS - 1, -1, -1)]
    committees = list(JointCommittee.objects.order_by("code"))
    existing = set(
        MonthlyUpdate.objects.filter(period__in=periods).values_list("committee_id", "period")
    )
    ids = [c.pk for c in committees]
    recorded = {period: month_prefill(ids, period) for period in periods}
    new, missing = [], []
    for committee in committees:
        for period in periods:
            if not rules.committee_owes(committee, period):
                continue
            if (committee.pk, period) in existing:
                continue
            update = plan_update(seed, committee, period, today, recorded[period].get(committee.pk))
            if update is None:
                missing.append((committee, period))
            else:
                new.append(update)
    bulk_create_with_history(
        new, MonthlyUpdate, batch_size=500, default_change_reason=CHANGE_REASON
    )
    requests = _reopen_requests(missing, periods[-2])
    label = MonthlyUpdate._meta.verbose_name
    return {
        str(label): Tally(len(new), len(existing)),
        str(ReopenRequest._meta.verbose_name): requests,
    }


def _reopen_requests(
    missing: list[tuple[JointCommittee, datetime.date]], period: datetime.date
) -> Tally:
    """Pending reopen requests for the first missing committees of a locked month."""
    candidates = [c for c, p in missing if p == period][:PENDING_REOPEN_REQUESTS]
    asked = set(
        ReopenRequest.objects.filter(period=period, committee__in=candidates).values_list(
            "committee_id", flat=True
        )
    )
    created = 0
    for committee in candidates:
        if committee.pk not in asked:
            ReopenRequest.objects.create(
                committee=committee,
                period=period,
                reason="上月书记外出学习，未能按时报送，现已补齐材料，申请补报。",
            )
            created += 1
    return Tally(created, len(asked))
