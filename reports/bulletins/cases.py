"""典型案例: the department chooses a month's cases from the records (aid projects with
progress or finished that month, hot issues solved, mutual-help activities held), then
edits their text. Reads for the page and the writes it makes."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from reports.bulletins.models import TypicalCase
from twinning.aid.models import AidProject, HelpActivity, HotIssue
from twinning.shared.periods import month_end

KINDS = ("aid_project", "hot_issue", "activity")
LIMIT = 20  # candidates of each kind on the page: the most telling ones


@dataclass(frozen=True)
class Candidate:
    kind: str
    pk: int
    kind_label: str
    title: str
    committee: str
    town: str
    summary: str
    chosen: bool


def _wan(amount: Decimal) -> str:
    return f"{amount / Decimal(10000):,.2f}万元"


def _aid_projects(period: datetime.date) -> list[AidProject]:
    end = month_end(period)
    return list(
        AidProject.objects.with_progress()
        .filter(Q(reports__reported_on__range=(period, end))
                | Q(finished_on__range=(period, end)))
        .distinct().select_related("committee", "committee__town")
        .order_by("-investment_actual", "pk")[:LIMIT]
    )


def _hot_issues(period: datetime.date) -> list[HotIssue]:
    return list(
        HotIssue.objects.filter(status=HotIssue.Status.SOLVED,
                                solved_on__range=(period, month_end(period)))
        .select_related("committee", "committee__town").order_by("-solved_on", "pk")[:LIMIT]
    )


def _activities(period: datetime.date) -> list[HelpActivity]:
    return list(
        HelpActivity.objects.filter(held_on__range=(period, month_end(period)))
        .select_related("committee", "committee__town").order_by("-count", "pk")[:LIMIT]
    )


def _prefill(kind: str, record) -> tuple[str, str]:
    """A first title and text from the record; the department rewrites them."""
    if kind == "aid_project":
        facts = _("累计投入%(money)s，带动就业%(jobs)s人，受益%(households)s户。") % {
            "money": _wan(record.investment_actual), "jobs": f"{record.jobs_created:,}",
            "households": f"{record.households:,}"}
        return record.title, "\n".join(p for p in (record.description.strip(), facts) if p)
    if kind == "hot_issue":
        solved = _("%(date)s解决。") % {"date": f"{record.solved_on:%Y年%-m月%-d日}"}
        return record.title, "\n".join(p for p in (record.description.strip(), solved) if p)
    held = _("%(date)s举办%(kind)s，参加%(n)s人次。") % {
        "date": f"{record.held_on:%Y年%-m月%-d日}", "kind": record.get_kind_display(),
        "n": f"{record.count:,}"}
    return record.title, "\n".join(p for p in (record.description.strip(), held) if p)


def candidates(period: datetime.date) -> list[Candidate]:
    """The month's records a case may be chosen from (a fixed number of queries)."""
    chosen = set(
        TypicalCase.objects.filter(period=period).values_list("aid_project", "hot_issue",
                                                               "activity")
    )
    taken = {(kind, pk) for row in chosen for kind, pk in zip(KINDS, row, strict=True) if pk}
    rows = []
    for kind, label, records in (
        ("aid_project", _("帮扶项目"), _aid_projects(period)),
        ("hot_issue", _("解决热点难点问题"), _hot_issues(period)),
        ("activity", _("互助活动"), _activities(period)),
    ):
        for record in records:
            title, body = _prefill(kind, record)
            rows.append(Candidate(
                kind=kind, pk=record.pk, kind_label=str(label), title=title,
                committee=record.committee.name, town=record.committee.town.name,
                summary=body.replace("\n", " "), chosen=(kind, record.pk) in taken,
            ))
    return rows


def _record(kind: str, pk: int, period: datetime.date):
    finders = {"aid_project": _aid_projects, "hot_issue": _hot_issues,
               "activity": _activities}
    if kind not in finders:
        raise ValidationError(_("未知的记录类型。"))
    record = next((r for r in finders[kind](period) if r.pk == pk), None)
    if record is None:
        raise ValidationError(_("该记录不属于本月可选的记录。"))
    return record


@transaction.atomic
def typical_case_choose(*, period: datetime.date, kind: str, pk: int) -> TypicalCase:
    """Make a case of the month from one record, its text pre-filled from the record."""
    record = _record(kind, pk, period)
    existing = TypicalCase.objects.filter(period=period, **{kind: record}).first()
    if existing:
        return existing
    title, body = _prefill(kind, record)
    order = (TypicalCase.objects.filter(period=period).aggregate(n=Max("order"))["n"] or 0) + 1
    return TypicalCase.objects.create(
        period=period, committee=record.committee, title=title[:128], body=body,
        order=order, **{kind: record},
    )


def typical_case_update(*, case: TypicalCase) -> TypicalCase:
    case.full_clean()
    case.save()
    return case


def typical_case_remove(*, case: TypicalCase) -> None:
    case.delete()
