"""Writes to aid projects and mutual-help records, with every rule on them.

Each kind has a pure `check_*` function holding the rules that need only the record, its
committee and the committee's sides (so the demo city applies the same rules to thousands of
planned rows without a query each), and a `*_save` service that loads what the check needs,
adds the rules that need the database, `full_clean`s and saves. Records are written only while
their committee is active; dates are never before the committee was established nor in the
future (an end date may be: a secondment or pairing planned to end later).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Model, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Branch, Member
from twinning.aid import models as aid
from twinning.committees.models import CommitteeVillage, JointCommittee


class _Errors:
    """Collects messages by field, so a form shows every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


@dataclass(frozen=True)
class Sides:
    """A committee's branches: its urban branch and every village that has been in it."""

    urban_id: int
    village_ids: frozenset[int]


def committee_sides(committee: JointCommittee) -> Sides:
    villages = CommitteeVillage.objects.filter(committee=committee).values_list(
        "village_id", flat=True
    )
    return Sides(urban_id=committee.urban_id, village_ids=frozenset(villages))


def _today() -> datetime.date:
    return timezone.localdate()


def check_open(committee: JointCommittee) -> None:
    if not committee.is_active:
        raise ValidationError(
            _("联合党组织「%(name)s」已于%(date)s撤销，不能再登记或修改其记录。")
            % {"name": committee.name, "date": committee.dissolved_on.isoformat()}
        )


def _open_committee(committee: JointCommittee) -> JointCommittee:
    """The committee row, read afresh and locked so that it cannot be dissolved meanwhile."""
    locked = JointCommittee.objects.select_for_update().get(pk=committee.pk)
    check_open(locked)
    return locked


def _check_day(
    errors: _Errors, field: str, day: datetime.date | None, *, committee: JointCommittee,
    today: datetime.date, future_ok: bool = False,
) -> None:
    if day is None:
        return
    if day < committee.established_on:
        errors.add(field, _("日期不能早于联合党组织成立日期（%(date)s）。")
                   % {"date": committee.established_on.isoformat()})
    if not future_ok and day > today:
        errors.add(field, _("日期不能晚于今天。"))


def _check_span(
    errors: _Errors, start: datetime.date | None, end: datetime.date | None, end_field: str
) -> None:
    if start and end and end < start:
        errors.add(end_field, _("结束日期不能早于开始日期。"))


def _assign(record: Model, values: dict[str, Any]) -> Model:
    for name, value in values.items():
        setattr(record, name, value)
    return record


def _finish(record: Model) -> Model:
    record.full_clean()
    record.save()
    return record


# Aid projects ----------------------------------------------------------------------------

def mechanism_for(funder: Branch) -> str:
    """强居带动 / 企业拉动 / 部门推动 from the funder's kind; a village cannot fund a project."""
    mechanism = aid.MECHANISM_BY_FUNDER_KIND.get(funder.kind)
    if mechanism is None:
        message = _(
            "「%(name)s」是村党组织，不能作为帮扶项目的出资方；出资方须为居委会、企业或部门。"
        )
        raise ValidationError({"funder": message % {"name": funder.name}})
    return mechanism


def check_project(project: aid.AidProject, *, today: datetime.date) -> None:
    """Status and dates agree: planned has no finish; active has a start; done has both."""
    errors = _Errors()
    status, started, finished = project.status, project.started_on, project.finished_on
    if status == aid.AidProject.Status.PLANNED and finished:
        errors.add("finished_on", _("计划中的项目不填完成日期。"))
    if status in aid.AidProject.STARTED and not started:
        errors.add("started_on", _("进行中或已完成的项目须填写开工日期。"))
    if status == aid.AidProject.Status.ACTIVE and finished:
        errors.add("finished_on", _("进行中的项目不填完成日期；完成后请把状态改为已完成。"))
    if status == aid.AidProject.Status.DONE and not finished:
        errors.add("finished_on", _("已完成的项目须填写完成日期。"))
    # A planned project may name the day it is to start; a started one started by today.
    future_ok = status == aid.AidProject.Status.PLANNED
    _check_day(errors, "started_on", started, committee=project.committee, today=today,
               future_ok=future_ok)
    _check_day(errors, "finished_on", finished, committee=project.committee, today=today)
    _check_span(errors, started, finished, "finished_on")
    errors.raise_any()


@dataclass(frozen=True)
class RecordDates:
    """The first and last days of a project's progress reports and outputs."""

    reports_first: datetime.date | None = None
    reports_last: datetime.date | None = None
    outputs_first: datetime.date | None = None
    outputs_last: datetime.date | None = None


def record_dates(project: aid.AidProject) -> RecordDates:
    reports = project.reports.aggregate(first=Min("reported_on"), last=Max("reported_on"))
    outputs = project.outputs.aggregate(first=Min("completed_on"), last=Max("completed_on"))
    return RecordDates(reports["first"], reports["last"], outputs["first"], outputs["last"])


def check_against_records(project: aid.AidProject, dates: RecordDates) -> None:
    """A saved project's new dates, status and category must still fit its reports and outputs."""
    errors = _Errors()
    firsts = [d for d in (dates.reports_first, dates.outputs_first) if d]
    lasts = [d for d in (dates.reports_last, dates.outputs_last) if d]
    if firsts and not project.is_started:
        errors.add("status", _("该项目已有进度报告或建设成果，不能改回计划中。"))
    if firsts and project.started_on and min(firsts) < project.started_on:
        errors.add("started_on", _("已有%(date)s的进度或成果记录，开工日期不能晚于它。")
                   % {"date": min(firsts).isoformat()})
    if lasts and project.finished_on and max(lasts) > project.finished_on:
        errors.add("finished_on", _("已有%(date)s的进度或成果记录，完成日期不能早于它。")
                   % {"date": max(lasts).isoformat()})
    if dates.outputs_first and project.category != aid.AidProject.Category.INFRASTRUCTURE:
        errors.add("category", _("该项目已登记建设成果，类别须为基础设施。"))
    errors.raise_any()


@transaction.atomic
def project_save(
    *,
    committee: JointCommittee,
    record: aid.AidProject | None = None,
    title: str,
    category: str,
    funder: Branch,
    status: str,
    started_on: datetime.date | None,
    finished_on: datetime.date | None,
    investment_planned: Decimal,
    households: int,
    extra_income: Decimal,
    area_mu: Decimal | None,
    description: str = "",
) -> aid.AidProject:
    """Create or change a project; its mechanism follows the funder's kind."""
    committee = _open_committee(committee)
    project = _assign(record or aid.AidProject(committee=committee), {
        "title": title.strip(), "category": category, "funder": funder,
        "mechanism": mechanism_for(funder), "status": status, "started_on": started_on,
        "finished_on": finished_on, "investment_planned": investment_planned,
        "households": households, "extra_income": extra_income, "area_mu": area_mu,
        "description": description,
    })
    check_project(project, today=_today())
    if project.pk:
        check_against_records(project, record_dates(project))
    return _finish(project)


def _check_within_project(
    errors: _Errors, field: str, day: datetime.date, project: aid.AidProject, today: datetime.date
) -> None:
    if not project.is_started:
        errors.add(field, _("项目尚未开工（状态为计划中），请先把项目状态改为进行中。"))
        return
    if day < project.started_on:
        errors.add(field, _("日期不能早于项目开工日期（%(date)s）。")
                   % {"date": project.started_on.isoformat()})
    if project.finished_on and day > project.finished_on:
        errors.add(field, _("日期不能晚于项目完成日期（%(date)s）。")
                   % {"date": project.finished_on.isoformat()})
    if day > today:
        errors.add(field, _("日期不能晚于今天。"))


def check_progress(
    report: aid.ProjectProgress, *, project: aid.AidProject, today: datetime.date
) -> None:
    """A report falls within its started project's span and is not in the future."""
    errors = _Errors()
    _check_within_project(errors, "reported_on", report.reported_on, project, today)
    errors.raise_any()


def check_output(
    output: aid.InfrastructureOutput, *, project: aid.AidProject, today: datetime.date
) -> None:
    """Only infrastructure projects have outputs, completed within the project's span."""
    errors = _Errors()
    if project.category != aid.AidProject.Category.INFRASTRUCTURE:
        errors.add("kind", _("只有基础设施类项目登记建设成果。"))
    _check_within_project(errors, "completed_on", output.completed_on, project, today)
    errors.raise_any()


def _locked_project(project: aid.AidProject) -> aid.AidProject:
    """The project row locked, so a status change and a new report cannot cross."""
    locked = aid.AidProject.objects.select_for_update().get(pk=project.pk)
    locked.committee = _open_committee(locked.committee)
    return locked


@transaction.atomic
def progress_save(
    *,
    project: aid.AidProject,
    record: aid.ProjectProgress | None = None,
    reported_on: datetime.date,
    investment: Decimal,
    jobs: int,
    note: str = "",
) -> aid.ProjectProgress:
    """Add or change a progress report; the project's actual investment is the reports' sum."""
    project = _locked_project(project)
    report = _assign(record or aid.ProjectProgress(project=project), {
        "reported_on": reported_on, "investment": investment, "jobs": jobs, "note": note,
    })
    check_progress(report, project=project, today=_today())
    return _finish(report)


def catch_up_day(project: aid.AidProject, today: datetime.date) -> datetime.date:
    """The day of a report that brings a project's totals up to date: its finish day once
    done, else today."""
    if project.status == aid.AidProject.Status.DONE and project.finished_on:
        return project.finished_on
    return today


def check_totals(
    project: aid.AidProject, *, investment: Decimal, jobs: int, recorded: tuple[Decimal, int],
    today: datetime.date,
) -> datetime.date | None:
    """Where totals given for a project (a spreadsheet's `investment_yuan` and `jobs`) leave
    its progress reports, whose sums are `recorded`: None when they match, else the day of the
    one report that carries the difference. Totals below the reports' sums are refused (a
    report is corrected on the project page, never silently), and so is a report the project
    cannot take (not started yet)."""
    errors = _Errors()
    recorded = (Decimal(recorded[0]).quantize(Decimal("0.01")), recorded[1])
    extra = {"investment_yuan": investment - recorded[0], "jobs": jobs - recorded[1]}
    for (field, difference), total in zip(extra.items(), recorded, strict=True):
        if difference < 0:
            errors.add(field, _(
                "已登记的进度报告合计为%(total)s，这里不能小于它；如需减少，请在项目页面修改进度报告。"
            ) % {"total": total})
    errors.raise_any()
    if not any(extra.values()):
        return None
    day = catch_up_day(project, today)
    try:
        check_progress(aid.ProjectProgress(project=project, reported_on=day), project=project,
                       today=today)
    except ValidationError as error:
        field = "investment_yuan" if extra["investment_yuan"] else "jobs"
        raise ValidationError({field: error.messages}) from None
    return day


@transaction.atomic
def progress_catch_up(
    *, project: aid.AidProject, investment: Decimal, jobs: int, note: str = ""
) -> aid.ProjectProgress | None:
    """Bring a project's actual investment and jobs (the sums of its progress reports) to these
    totals with one report carrying the difference, on `catch_up_day`; a report already on
    that day takes the difference instead. Matching totals write nothing."""
    project = _locked_project(project)
    sums = project.reports.aggregate(investment=Sum("investment"), jobs=Sum("jobs"))
    recorded = (sums["investment"] or Decimal("0.00"), sums["jobs"] or 0)
    day = check_totals(project, investment=investment, jobs=jobs, recorded=recorded,
                       today=_today())
    if day is None:
        return None
    report = project.reports.filter(reported_on=day).first()
    return progress_save(
        project=project, record=report, reported_on=day,
        investment=(report.investment if report else 0) + investment - recorded[0],
        jobs=(report.jobs if report else 0) + jobs - recorded[1],
        note=report.note if report else note,
    )


@transaction.atomic
def output_save(
    *,
    project: aid.AidProject,
    record: aid.InfrastructureOutput | None = None,
    kind: str,
    quantity: Decimal,
    completed_on: datetime.date,
    note: str = "",
) -> aid.InfrastructureOutput:
    """Add or change what an infrastructure project built."""
    project = _locked_project(project)
    output = _assign(record or aid.InfrastructureOutput(project=project), {
        "kind": kind, "quantity": quantity, "completed_on": completed_on, "note": note,
    })
    check_output(output, project=project, today=_today())
    return _finish(output)


# Mutual help -----------------------------------------------------------------------------

def check_secondment(
    secondment: aid.Secondment, *, sides: Sides, today: datetime.date
) -> None:
    """One side is the committee's urban branch, the other one of its villages, either way."""
    errors = _Errors()
    pair = {secondment.from_branch_id, secondment.to_branch_id}
    villages = pair - {sides.urban_id}
    if len(pair) != 2 or sides.urban_id not in pair or not villages <= sides.village_ids:
        errors.add("to_branch", _(
            "派出和挂职党组织须一方为本联合党组织的城市党组织，另一方为其联建村。"
        ))
    member = secondment.member
    if member is not None and member.branch_id != secondment.from_branch_id:
        errors.add("member", _("「%(name)s」不是派出党组织的党员。") % {"name": member.name})
    if not secondment.name:
        errors.add("name", _("请选择党员或填写姓名。"))
    _check_day(errors, "started_on", secondment.started_on, committee=secondment.committee,
               today=today)
    _check_span(errors, secondment.started_on, secondment.ended_on, "ended_on")
    errors.raise_any()


def check_pairing(pairing: aid.MemberPairing, *, sides: Sides, today: datetime.date) -> None:
    """The urban member belongs to the urban branch, the village member to one of its villages."""
    errors = _Errors()
    if pairing.urban_member.branch_id != sides.urban_id:
        errors.add("urban_member", _("城市党员须是本联合党组织城市党组织的党员。"))
    if pairing.village_member.branch_id not in sides.village_ids:
        errors.add("village_member", _("农村党员须是本联合党组织联建村的党员。"))
    _check_day(errors, "since", pairing.since, committee=pairing.committee, today=today)
    _check_span(errors, pairing.since, pairing.until, "until")
    errors.raise_any()


def check_activity(activity: aid.HelpActivity, *, today: datetime.date) -> None:
    errors = _Errors()
    _check_day(errors, "held_on", activity.held_on, committee=activity.committee, today=today)
    errors.raise_any()


def check_hot_issue(issue: aid.HotIssue, *, today: datetime.date) -> None:
    """A year's issue: solved ones carry the day, in or after that year and not in the future."""
    errors = _Errors()
    committee = issue.committee
    if not committee.established_on.year <= issue.year <= today.year:
        errors.add("year", _("年度须在%(first)s至%(last)s之间。")
                   % {"first": committee.established_on.year, "last": today.year})
    solved = issue.status == aid.HotIssue.Status.SOLVED
    if solved and issue.solved_on is None:
        errors.add("solved_on", _("已解决的问题须填写解决日期。"))
    if not solved and issue.solved_on is not None:
        errors.add("solved_on", _("问题尚未解决，不填解决日期。"))
    if issue.solved_on and issue.solved_on.year < issue.year:
        errors.add("solved_on", _("解决日期不能早于问题所属年度。"))
    _check_day(errors, "solved_on", issue.solved_on, committee=committee, today=today)
    errors.raise_any()


def check_governance(record: aid.GovernanceRecord, *, sides: Sides, today: datetime.date) -> None:
    errors = _Errors()
    if record.village_id not in sides.village_ids:
        errors.add("village", _("只能为本联合党组织的联建村登记。"))
    if record.kind == aid.GovernanceRecord.Kind.TEAM_ADJUSTED and record.count != 1:
        errors.add("count", _("一条记录只登记一次班子调整，数量须为1。"))
    _check_day(errors, "done_on", record.done_on, committee=record.committee, today=today)
    errors.raise_any()


@transaction.atomic
def secondment_save(
    *,
    committee: JointCommittee,
    record: aid.Secondment | None = None,
    member: Member | None,
    name: str,
    from_branch: Branch,
    to_branch: Branch,
    position: str,
    started_on: datetime.date,
    ended_on: datetime.date | None,
) -> aid.Secondment:
    """Record a secondment; a registered member's name is taken from the register."""
    committee = _open_committee(committee)
    secondment = _assign(record or aid.Secondment(committee=committee), {
        "member": member, "name": member.name if member else name.strip(),
        "from_branch": from_branch, "to_branch": to_branch, "position": position,
        "started_on": started_on, "ended_on": ended_on,
    })
    check_secondment(secondment, sides=committee_sides(committee), today=_today())
    return _finish(secondment)


@transaction.atomic
def pairing_save(
    *,
    committee: JointCommittee,
    record: aid.MemberPairing | None = None,
    urban_member: Member,
    village_member: Member,
    since: datetime.date,
    until: datetime.date | None,
    help: str,
) -> aid.MemberPairing:
    committee = _open_committee(committee)
    pairing = _assign(record or aid.MemberPairing(committee=committee), {
        "urban_member": urban_member, "village_member": village_member, "since": since,
        "until": until, "help": help,
    })
    check_pairing(pairing, sides=committee_sides(committee), today=_today())
    return _finish(pairing)


@transaction.atomic
def activity_save(
    *,
    committee: JointCommittee,
    record: aid.HelpActivity | None = None,
    kind: str,
    held_on: datetime.date,
    count: int,
    title: str,
    description: str = "",
) -> aid.HelpActivity:
    committee = _open_committee(committee)
    activity = _assign(record or aid.HelpActivity(committee=committee), {
        "kind": kind, "held_on": held_on, "count": count, "title": title,
        "description": description,
    })
    check_activity(activity, today=_today())
    return _finish(activity)


@transaction.atomic
def hot_issue_save(
    *,
    committee: JointCommittee,
    record: aid.HotIssue | None = None,
    year: int,
    title: str,
    status: str,
    solved_on: datetime.date | None,
    description: str = "",
) -> aid.HotIssue:
    committee = _open_committee(committee)
    issue = _assign(record or aid.HotIssue(committee=committee), {
        "year": year, "title": title.strip(), "status": status, "solved_on": solved_on,
        "description": description,
    })
    check_hot_issue(issue, today=_today())
    return _finish(issue)


@transaction.atomic
def governance_save(
    *,
    committee: JointCommittee,
    record: aid.GovernanceRecord | None = None,
    village: Branch,
    kind: str,
    count: int,
    done_on: datetime.date,
    note: str = "",
) -> aid.GovernanceRecord:
    committee = _open_committee(committee)
    governance = _assign(record or aid.GovernanceRecord(committee=committee), {
        "village": village, "kind": kind, "count": count, "done_on": done_on, "note": note,
    })
    check_governance(governance, sides=committee_sides(committee), today=_today())
    return _finish(governance)


@transaction.atomic
def record_delete(*, record: Model) -> None:
    """Delete any of these records (a project with its reports and outputs); audited."""
    _open_committee(record.committee)
    record.delete()
