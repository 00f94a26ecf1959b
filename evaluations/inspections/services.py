"""Writes to inspections, their scores and rectification items, and to the rubric.

Who may call each one is decided by the views through `twinning.permissions`; the rules of
the programme are checked here, and a broken one raises ValidationError in Chinese, keyed by
the form field it concerns.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.inspections.models import (
    Inspection,
    InspectionCriterion,
    InspectionScore,
    Rectification,
)
from evaluations.inspections.selectors import ScoreLine, scoring_lines
from evaluations.inspections.validators import validate_evidence_file
from twinning.committees.models import JointCommittee
from twinning.shared.child_rows import ChildRow, check_rows, due_date_errors, save_rows
from twinning.shared.periods import chinese_period, month_start

RECTIFICATION_FIELDS = ("description", "owner", "due_on")
CRITERION_FIELDS = ("name", "description", "max_score", "order", "active")


def score_field(criterion_id: int) -> str:
    """The name of a criterion's score on the inspection form, and of its errors."""
    return f"score_{criterion_id}"


def inspection_total(scores: Iterable[InspectionScore]) -> tuple[Decimal, Decimal]:
    """An inspection's total and the most it could score: the sums over its score rows.

    The one place the stored `Inspection.total` and `max_total` are computed.
    """
    rows = list(scores)
    return sum((s.score for s in rows), Decimal(0)), sum((s.max_score for s in rows), Decimal(0))


def _visit_errors(
    committee: JointCommittee, visited_on: datetime.date, today: datetime.date,
    inspection: Inspection | None,
) -> list[str]:
    errors = []
    if visited_on > today:
        errors.append(_("督查日期不能晚于今天。"))
    if visited_on < committee.established_on:
        errors.append(
            _("督查日期不能早于联合党组织成立日期（%(date)s）。")
            % {"date": committee.established_on.isoformat()}
        )
    if committee.dissolved_on and visited_on > committee.dissolved_on:
        errors.append(
            _("联合党组织已于%(date)s撤销，督查日期不能晚于撤销日期。")
            % {"date": committee.dissolved_on.isoformat()}
        )
    period = month_start(visited_on)
    taken = Inspection.objects.filter(committee=committee, period=period)
    if inspection is not None:
        taken = taken.exclude(pk=inspection.pk)
    if taken.exists():
        errors.append(
            _("「%(committee)s」%(month)s已有督查记录，每月督查一次；如需更正请修改原记录。")
            % {"committee": committee.name, "month": chinese_period(period)}
        )
    return errors


def _score_errors(lines: Sequence[ScoreLine], scores: Mapping[int, Decimal]) -> dict[str, str]:
    errors = {}
    for line in lines:
        score = scores.get(line.criterion_id)
        if score is None:
            errors[score_field(line.criterion_id)] = _("请为「%(name)s」打分。") % {
                "name": line.name
            }
        elif not Decimal(0) <= score <= line.max_score:
            errors[score_field(line.criterion_id)] = score_range_message(line.name, line.max_score)
    return errors


def score_range_message(name: str, max_score: Decimal) -> str:
    return _("「%(name)s」的得分须在0至%(max)s分之间（满分%(max)s分）。") % {
        "name": name, "max": f"{max_score.normalize():f}",
    }


@transaction.atomic
def inspection_save(
    *,
    committee: JointCommittee,
    visited_on: datetime.date,
    team: str,
    findings: str,
    scores: Mapping[int, Decimal],
    rectifications: Sequence[ChildRow] = (),
    user: Any = None,
    inspection: Inspection | None = None,
    today: datetime.date | None = None,
) -> Inspection:
    """Record an inspection, or correct one: a score per criterion (by criterion id), the
    findings, and rectification items to add, change or delete.

    The month inspected is the visit's month, and a committee is inspected once a month.
    Each score lies between 0 and its criterion's maximum; the total is stored from them.
    Items already closed are not touched here.
    """
    today = today or timezone.localdate()
    if inspection is not None:
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        committee = inspection.committee
    lines = scoring_lines(inspection)
    if not lines:
        raise ValidationError(_("督查评分标准中没有启用的评分项，请先由组织部设置评分标准。"))
    existing = (
        {} if inspection is None
        else {r.pk: r for r in inspection.rectifications.open().select_for_update()}
    )
    check_rows(existing, rectifications, _("整改事项"))
    errors: dict[str, Any] = dict(_score_errors(lines, scores))
    visit = _visit_errors(committee, visited_on, today, inspection)
    if visit:
        errors["visited_on"] = visit
    late = due_date_errors(
        rectifications, visited_on, _("第%(n)s项整改事项：整改期限不能早于督查日期。")
    )
    if late:
        errors["rectifications"] = late
    if errors:
        raise ValidationError(errors)

    if inspection is None:
        inspection = Inspection(committee=committee, recorded_by=user)
    inspection.visited_on = visited_on
    inspection.period = month_start(visited_on)
    inspection.team = team
    inspection.findings = findings
    score_rows = _score_rows(inspection, lines, scores)
    inspection.total, inspection.max_total = inspection_total(row for row, _new in score_rows)
    inspection.full_clean()
    inspection.save()
    for row, changed in score_rows:
        if changed:
            row.inspection = inspection
            row.full_clean()
            row.save()
    save_rows(
        existing, rectifications,
        lambda **values: Rectification(inspection=inspection, committee=committee, **values),
    )
    return inspection


def _score_rows(
    inspection: Inspection, lines: Sequence[ScoreLine], scores: Mapping[int, Decimal]
) -> list[tuple[InspectionScore, bool]]:
    """The score rows with their new scores, each with whether it needs saving."""
    stored = {} if inspection.pk is None else {s.criterion_id: s for s in inspection.scores.all()}
    rows = []
    for order, line in enumerate(lines, start=1):
        row = stored.get(line.criterion_id) or InspectionScore(
            criterion_id=line.criterion_id, criterion_name=line.name,
            max_score=line.max_score, order=order,
        )
        score = scores[line.criterion_id]
        rows.append((row, row.pk is None or row.score != score))
        row.score = score
    return rows


def _open_for_update(rectification: Rectification) -> Rectification:
    item = (
        Rectification.objects.select_for_update()
        .select_related("inspection", "committee")
        .get(pk=rectification.pk)
    )
    if item.is_closed:
        raise ValidationError(
            _("该整改事项已于%(date)s销号，不能再办理。") % {"date": item.closed_on.isoformat()}
        )
    return item


@transaction.atomic
def rectification_submit(
    *,
    rectification: Rectification,
    evidence: str,
    evidence_file: UploadedFile | None = None,
    user: Any = None,
    today: datetime.date | None = None,
) -> Rectification:
    """The committee reports what it has done, with an optional file, and asks for closing.

    The item stays open (awaiting confirmation) until someone who may inspect the committee
    closes it or returns it. A new file replaces the old one; without one the old one stays.
    """
    item = _open_for_update(rectification)
    if not evidence.strip():
        raise ValidationError({"evidence": _("请写明整改情况。")})
    if evidence_file is not None:
        try:
            validate_evidence_file(evidence_file)
        except ValidationError as error:
            raise ValidationError({"evidence_file": error.messages}) from None
        item.evidence_file = evidence_file
    item.evidence = evidence.strip()
    item.submitted_on = today or timezone.localdate()
    item.submitted_by = user
    item.returned_reason = ""
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def rectification_close(
    *,
    rectification: Rectification,
    closed_on: datetime.date,
    note: str = "",
    user: Any = None,
    today: datetime.date | None = None,
) -> Rectification:
    """Close an item (销号): confirm the committee's evidence, or what was verified on the spot.

    Without evidence from the committee the note must say what was verified. The closing
    date lies between the inspection and today.
    """
    item = _open_for_update(rectification)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if closed_on > today:
        errors["closed_on"] = _("销号日期不能晚于今天。")
    elif closed_on < item.inspection.visited_on:
        errors["closed_on"] = _("销号日期不能早于督查日期（%(date)s）。") % {
            "date": item.inspection.visited_on.isoformat()
        }
    if item.submitted_on is None and not note.strip():
        errors["note"] = _("整改单位尚未提交整改情况，直接销号须写明核实情况。")
    if errors:
        raise ValidationError(errors)
    item.status = Rectification.Status.CLOSED
    item.closed_on = closed_on
    item.closed_by = user
    item.closing_note = note.strip()
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def rectification_return(
    *, rectification: Rectification, reason: str, user: Any = None
) -> Rectification:
    """Send the committee's evidence back with a reason; the item is theirs to finish again."""
    item = _open_for_update(rectification)
    if item.submitted_on is None:
        raise ValidationError(_("整改单位尚未提交整改情况，无需退回。"))
    if not reason.strip():
        raise ValidationError({"note": _("退回时请写明原因。")})
    item.submitted_on = None
    item.submitted_by = None
    item.returned_reason = reason.strip()
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def rubric_save(*, rows: Sequence[ChildRow]) -> list[InspectionCriterion]:
    """Change the rubric: rename, rescore, reorder or switch off criteria, or add new ones.

    Criteria are never deleted (past inspections keep their scores under the names and
    maxima of their time); at least one stays active, and names are unique.
    """
    existing = {c.pk: c for c in InspectionCriterion.objects.select_for_update()}
    check_rows(existing, rows, _("评分项"))
    final = {pk: (c.name, c.active) for pk, c in existing.items()}
    for number, row in enumerate(rows):
        final[row.pk if row.pk is not None else f"new{number}"] = (
            row.values["name"].strip(), row.values["active"]
        )
    names = [name for name, _active in final.values()]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValidationError(_("评分项名称重复：%(names)s。") % {"names": "、".join(repeated)})
    if not any(active for _name, active in final.values()):
        raise ValidationError(_("至少须启用一个评分项。"))
    save_rows(existing, rows, InspectionCriterion)
    return list(InspectionCriterion.objects.all())
