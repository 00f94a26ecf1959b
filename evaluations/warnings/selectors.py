"""The early warning: committees at risk, read from their own records.

Rules (thresholds in `WarningSettings`, set by the department):
- `filing`: the monthly update missing, late or returned for the last N due months running;
- `falling`: the last K inspections' scores strictly falling, oldest to newest, by at least
  `falling_drop` points of the maximum in all, to below `falling_below` % of it (a trivial
  change, 98.5 → 95 → 94, is not a risk);
- `low_score`: the latest inspection scored below the floor (% of its maximum);
- `rectifications`: at least M rectification items past their due date and not closed;
- `unqualified`: a member rated 不合格 with no designated helper;
- `stalled`: an active aid project with no progress report for N months;
- `leaving`: villages that left the committee in the last N months.

Flags are graded: `SERIOUS_RULES` (or two flags or more) make a committee serious, printed by
name in the bulletin; the others are listed in its spreadsheet annex.

Everything is judged as of a date, so a bulletin can show the flags as they stood at the end
of its month. `committee_flags` reads all committees in a fixed number of queries.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.translation import gettext as _

from evaluations.inspections.models import Inspection, Rectification
from evaluations.reviews.models import MemberReview
from twinning.advisor.models import WarningSettings
from twinning.aid.models import AidProject
from twinning.committees.models import CommitteeVillage, JointCommittee
from twinning.monthly import rules
from twinning.monthly.models import MonthlyUpdate
from twinning.shared.periods import add_months, month_end

LOOK_BACK_MONTHS = 12
BAD_FILINGS = (rules.Filing.MISSING, rules.Filing.LATE, rules.Filing.RETURNED)
SERIOUS_RULES = frozenset({"filing", "low_score", "rectifications", "unqualified"})


@dataclass(frozen=True)
class Flag:
    rule: str
    reason: str
    since: datetime.date

    @property
    def serious(self) -> bool:
        return self.rule in SERIOUS_RULES


def is_serious(flags: list[Flag]) -> bool:
    """A committee needs the leaders' attention: a serious flag, or two flags or more."""
    return len(flags) >= 2 or any(f.serious for f in flags)


def warning_settings() -> WarningSettings:
    """The settings row, or the defaults before the department first saves it."""
    return WarningSettings.objects.first() or WarningSettings()


def committee_flags(
    committees: Iterable[JointCommittee], as_of: datetime.date,
    settings: WarningSettings | None = None,
) -> dict[int, list[Flag]]:
    """Flags by committee id, for the committees active on `as_of`; committees without a flag
    are left out."""
    settings = settings or warning_settings()
    active = {c.pk: c for c in committees
              if c.established_on <= as_of and (c.dissolved_on is None or c.dissolved_on > as_of)}
    flags: dict[int, list[Flag]] = defaultdict(list)
    if not active:
        return {}
    ids = list(active)
    for rule in (_filing, _inspections, _rectifications, _unqualified, _stalled, _leaving):
        for committee_id, flag in rule(active, ids, as_of, settings):
            flags[committee_id].append(flag)
    return dict(flags)


def _filing(active, ids, as_of, settings):
    if not settings.months_running:
        return
    last = rules.last_due_period(as_of)
    if as_of <= rules.deadline(last):
        last = add_months(last, -1)
    periods = [add_months(last, -i) for i in range(LOOK_BACK_MONTHS)]
    updates = {
        (u["committee_id"], u["period"]): u
        for u in MonthlyUpdate.objects.filter(committee_id__in=ids, period__in=periods)
        .values("committee_id", "period", "status", "first_submitted_at")
    }
    for committee_id, committee in active.items():
        run = []
        for period in periods:
            if not rules.committee_owes(committee, period):
                break
            update = updates.get((committee_id, period))
            submitted = update and update["first_submitted_at"]
            known = submitted and rules.local_date(submitted) <= as_of
            status = rules.filing_status(
                period=period, today=as_of, status=update["status"] if known else None,
                first_submitted_at=submitted if known else None,
            )
            if status not in BAD_FILINGS:
                break
            run.append(period)
        if len(run) >= settings.months_running:
            yield committee_id, Flag("filing", _("月度工作报告连续%(n)s个月缺报、迟报或被退回")
                                     % {"n": len(run)}, rules.deadline(run[-1]))


def _inspections(active, ids, as_of, settings):
    by_committee = defaultdict(list)
    for row in (Inspection.objects.filter(committee_id__in=ids, visited_on__lte=as_of)
                .order_by("committee_id", "-visited_on", "-pk")
                .values("committee_id", "visited_on", "total", "max_total")):
        by_committee[row["committee_id"]].append(row)
    k = settings.falling_inspections
    for committee_id, rows in by_committee.items():
        latest = rows[0]
        floor = settings.score_floor * latest["max_total"]
        if latest["max_total"] and latest["total"] * 100 < floor:
            yield committee_id, Flag(
                "low_score", _("最近一次督查得分%(total)s（满分%(max)s），低于%(floor)s%%")
                % {"total": latest["total"], "max": latest["max_total"],
                   "floor": settings.score_floor}, latest["visited_on"])
        recent = rows[:k]
        if k >= 2 and len(recent) == k and all(
            recent[i]["total"] < recent[i + 1]["total"] for i in range(k - 1)
        ) and _meaningful_fall(recent[-1], latest, settings):
            yield committee_id, Flag(
                "falling", _("最近%(k)s次督查得分逐次下降：%(scores)s")
                % {"k": k, "scores": " → ".join(str(r["total"]) for r in reversed(recent))},
                recent[-1]["visited_on"])


def _meaningful_fall(oldest: dict, latest: dict, settings: WarningSettings) -> bool:
    """The fall from `oldest` to `latest` is at least `falling_drop` points of the maximum,
    to below `falling_below` % of it."""
    if not (oldest["max_total"] and latest["max_total"]):
        return False
    before = oldest["total"] * 100 / oldest["max_total"]
    now = latest["total"] * 100 / latest["max_total"]
    return before - now >= settings.falling_drop and now < settings.falling_below


def _rectifications(active, ids, as_of, settings):
    if not settings.overdue_rectifications:
        return
    overdue = (Rectification.objects.filter(committee_id__in=ids, due_on__lt=as_of)
               .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
               .values("committee_id").annotate(n=Count("pk"), first=Min("due_on")))
    for row in overdue:
        if row["n"] >= settings.overdue_rectifications:
            yield row["committee_id"], Flag(
                "rectifications", _("%(n)s项整改逾期未销号") % {"n": row["n"]},
                row["first"] + datetime.timedelta(days=1))


def _unqualified(active, ids, as_of, settings):
    rows = (MemberReview.objects.filter(
        committee_id__in=ids, rating=MemberReview.Rating.UNQUALIFIED,
        entered_at__date__lte=as_of,
    ).filter(Q(help__isnull=True) | Q(help__assigned_on__gt=as_of))
        .values("committee_id").annotate(n=Count("pk"), first=Min("entered_at")))
    for row in rows:
        yield row["committee_id"], Flag(
            "unqualified", _("%(n)s名评议不合格党员未安排帮促人") % {"n": row["n"]},
            rules.local_date(row["first"]))


def _stalled(active, ids, as_of, settings):
    if not settings.stalled_months:
        return
    cutoff = add_months(as_of, -settings.stalled_months)
    projects = (AidProject.objects.filter(committee_id__in=ids, status=AidProject.Status.ACTIVE,
                                          started_on__lte=cutoff)
                .annotate(last=Max("reports__reported_on",
                                   filter=Q(reports__reported_on__lte=as_of)))
                .filter(Q(last__isnull=True) | Q(last__lt=cutoff))
                .values("committee_id", "title", "last", "started_on"))
    found = defaultdict(list)
    for row in projects:
        found[row["committee_id"]].append(row)
    for committee_id, rows in found.items():
        since = min(r["last"] or r["started_on"] for r in rows)
        yield committee_id, Flag(
            "stalled", _("进行中的帮扶项目%(n)s个月以上无进展：%(titles)s")
            % {"n": settings.stalled_months, "titles": "、".join(r["title"] for r in rows)},
            since)


def _leaving(active, ids, as_of, settings):
    if not settings.leaving_months:
        return
    start = add_months(as_of, -settings.leaving_months)
    rows = (CommitteeVillage.objects.filter(committee_id__in=ids, left_on__gt=start,
                                            left_on__lte=as_of)
            .values("committee_id").annotate(n=Count("pk"), first=Min("left_on")))
    for row in rows:
        yield row["committee_id"], Flag(
            "leaving", _("近%(months)s个月有%(n)s个村退出")
            % {"months": settings.leaving_months, "n": row["n"]}, row["first"])


def flagged_committees(committees: QuerySet, as_of: datetime.date) -> list[dict]:
    """The committees with flags, most flags first: `{"committee", "flags"}` rows."""
    listed = list(committees.select_related("town", "urban"))
    flags = committee_flags(listed, as_of)
    rows = [{"committee": c, "flags": flags[c.pk]} for c in listed if c.pk in flags]
    rows.sort(key=lambda r: (-len(r["flags"]), r["committee"].code))
    return rows


def warnings_summary(period: datetime.date, committees: QuerySet) -> dict:
    """The bulletin's annex to section 三: the flags as they stood at the end of `period`."""
    as_of = month_end(period)
    rows = flagged_committees(committees, as_of)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        row["serious"] = is_serious(row["flags"])
        for flag in row["flags"]:
            counts[flag.rule] += 1
    serious = [row for row in rows if row["serious"]]
    return {"as_of": as_of, "rows": rows, "total": len(rows), "by_rule": dict(counts),
            "serious": serious, "others": len(rows) - len(serious)}
