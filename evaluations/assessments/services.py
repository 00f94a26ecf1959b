"""Writes for the assessment of joint committees: rounds, proposals, adjustments, commendations.

Rules decided here (the issue left them open):
- Who is assessed: every committee active when proposals are generated and established by the
  half's last day. Generating again adds committees that became due and refreshes proposals;
  a score the department adjusted keeps its final points and reason.
- Ranking: competition ranking ("1224") by total, highest first — equal totals share a rank
  and the next rank skips as many places as shared it; the same within each town. Ranks,
  totals and grades are recomputed whenever a score changes, and frozen by closing.
- Grade: the total as a percentage of the maximum against the round's lines (inclusive;
  defaults 85 / 70 / 60 → 优秀 / 良好 / 一般, below 60 较差).
- Outstanding (优秀书记): graded 优秀 and ranked within the round's `outstanding_count` citywide.
- Closing locks the round: no proposals or adjustments after it. Commendations are recorded
  after closing, for outstanding committees only.
"""

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from evaluations.assessments.models import (
    Assessment,
    AssessmentCriterion,
    AssessmentRound,
    AssessmentScore,
    Commendation,
)
from evaluations.assessments.scores import Proposal, half_bounds, propose
from twinning.committees.models import JointCommittee

BATCH_SIZE = 500
ZERO = Decimal(0)


def competition_ranks(totals: Sequence[Decimal]) -> list[int]:
    """Ranks of `totals` in their order, highest first, ties sharing a rank ("1224")."""
    ordered = sorted(totals, reverse=True)
    first_place = {}
    for place, total in enumerate(ordered, start=1):
        first_place.setdefault(total, place)
    return [first_place[total] for total in totals]


def _locked(round_: AssessmentRound) -> AssessmentRound:
    """The round re-read under a row lock, refusing a closed one."""
    round_ = AssessmentRound.objects.select_for_update().get(pk=round_.pk)
    if round_.is_closed:
        raise ValidationError(round_.lock_message())
    return round_


@transaction.atomic
def assessment_round_open(
    *, year: int, half: str, opened_on: datetime.date, closes_on: datetime.date,
    outstanding_count: int = 10, excellent_from: int = 85, good_from: int = 70,
    fair_from: int = 60, user: User | None,
) -> AssessmentRound:
    """Open a half-year's assessment; proposals are generated on the round's page."""
    round_ = AssessmentRound(
        year=year, half=half, opened_on=opened_on, closes_on=closes_on,
        outstanding_count=outstanding_count, excellent_from=excellent_from,
        good_from=good_from, fair_from=fair_from, opened_by=user,
    )
    round_.full_clean()
    first, _last = half_bounds(year, half)
    if opened_on < first:
        raise ValidationError({"opened_on": _("%(round)s的考核不能早于%(date)s开始。") % {
            "round": str(round_), "date": first.isoformat()}})
    round_.save()
    return round_


@transaction.atomic
def assessment_round_update(
    *, round_: AssessmentRound, closes_on: datetime.date, outstanding_count: int,
    excellent_from: int, good_from: int, fair_from: int, user: User | None,
) -> AssessmentRound:
    """Change an open round's planned end, grade lines or number of outstanding places; the
    grades and flags follow at once."""
    round_ = _locked(round_)
    round_.closes_on = closes_on
    round_.outstanding_count = outstanding_count
    round_.excellent_from, round_.good_from, round_.fair_from = (
        excellent_from, good_from, fair_from)
    round_.full_clean()
    round_.save()
    _rank(round_, user)
    return round_


def committees_due(round_: AssessmentRound) -> list[JointCommittee]:
    _first, last = half_bounds(round_.year, round_.half)
    return list(
        JointCommittee.objects.filter(dissolved_on__isnull=True, established_on__lte=last)
        .order_by("code")
    )


@transaction.atomic
def assessment_generate(
    *, round_: AssessmentRound, user: User | None, today: datetime.date | None = None
) -> int:
    """Propose every score from the half's records; returns the number of committees.

    A fixed number of queries whatever the number of committees (bulk reads and writes).
    """
    round_ = _locked(round_)
    today = today or timezone.localdate()
    criteria = list(AssessmentCriterion.objects.filter(active=True))
    if not criteria:
        raise ValidationError(_("没有启用的考核项目，请先在后台设置考核项目。"))
    committees = committees_due(round_)
    have = {a.committee_id: a for a in round_.assessments.all()}
    new = [Assessment(round=round_, committee=c) for c in committees if c.pk not in have]
    bulk_create_with_history(new, Assessment, batch_size=BATCH_SIZE, default_user=user)
    assessments = {a.committee_id: a for a in round_.assessments.all()}
    proposals = propose(committees, round_.year, round_.half, today)
    existing = {
        (s.assessment_id, s.criterion_id): s
        for s in AssessmentScore.objects.filter(assessment__round=round_)
    }
    create, update = [], []
    for committee_id, by_source in proposals.items():
        assessment = assessments[committee_id]
        for criterion in criteria:
            proposal = by_source[criterion.source]
            score = existing.get((assessment.pk, criterion.pk))
            if score is None:
                score = AssessmentScore(assessment=assessment, criterion=criterion)
                _refresh(score, criterion, proposal)
                create.append(score)
            elif _refresh(score, criterion, proposal):
                update.append(score)
    bulk_create_with_history(create, AssessmentScore, batch_size=BATCH_SIZE, default_user=user)
    if update:
        bulk_update_with_history(update, AssessmentScore, REFRESHED, batch_size=BATCH_SIZE,
                                 default_user=user)
    # Criteria switched off since the last run no longer count in this round.
    AssessmentScore.objects.filter(assessment__round=round_).exclude(
        criterion__in=criteria).delete()
    _rank(round_, user)
    return len(committees)


REFRESHED = ["criterion_name", "max_points", "order", "source", "basis", "proposed", "final",
             "reason", "adjusted_by"]


def _refresh(score: AssessmentScore, criterion: AssessmentCriterion, proposal: Proposal) -> bool:
    """Bring a score up to date with its criterion and the new proposal; whether it changed.

    A score nobody adjusted follows the proposal; an adjusted one keeps its final points
    (within the criterion's maximum) and reason, unless the proposal now equals them.
    """
    before = [getattr(score, name) for name in REFRESHED]
    points = proposal.points(criterion.max_points)
    score.criterion_name, score.max_points = criterion.name, criterion.max_points
    score.order, score.source, score.basis = criterion.order, criterion.source, proposal.basis
    if not score.reason:
        score.final = points
    else:
        score.final = min(score.final, criterion.max_points)
        if score.final == points:
            score.reason, score.adjusted_by = "", None
    score.proposed = points
    return [getattr(score, name) for name in REFRESHED] != before


def _rank(round_: AssessmentRound, user: User | None) -> None:
    """Totals from the final scores, ranks citywide and within towns, grades, outstanding."""
    assessments = list(
        round_.assessments.select_related("committee").annotate(
            sum_final=Sum("scores__final"), sum_max=Sum("scores__max_points")
        )
    )
    for a in assessments:
        a.total = Decimal(str(a.sum_final or 0)).quantize(Decimal("0.1"))
        a.max_total = Decimal(str(a.sum_max or 0)).quantize(Decimal("0.1"))
    for a, rank in zip(assessments, competition_ranks([a.total for a in assessments]),
                       strict=True):
        a.rank = rank
    by_town: dict[int, list[Assessment]] = defaultdict(list)
    for a in assessments:
        by_town[a.committee.town_id].append(a)
    for group in by_town.values():
        for a, rank in zip(group, competition_ranks([a.total for a in group]), strict=True):
            a.town_rank = rank
    for a in assessments:
        a.grade = round_.grade_for(a.total, a.max_total)
        a.outstanding = (
            a.grade == Assessment.Grade.EXCELLENT and a.rank <= round_.outstanding_count
        )
    if assessments:
        bulk_update_with_history(
            assessments, Assessment,
            ["total", "max_total", "rank", "town_rank", "grade", "outstanding"],
            batch_size=BATCH_SIZE, default_user=user,
        )


def _points(text: str | Decimal) -> Decimal | None:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@transaction.atomic
def assessment_adjust(
    *, assessment: Assessment, entries: Mapping[int, tuple[str | Decimal, str]],
    user: User | None,
) -> int:
    """Set final points of a committee's scores (`entries`: score id → (points, reason)).

    Final points differing from the proposal need a reason; every bad entry is reported on its
    own field (`s<ID>-final`, `s<ID>-reason`) and nothing is saved. Returns the number changed.
    """
    round_ = _locked(assessment.round)
    scores = list(AssessmentScore.objects.filter(assessment=assessment))
    errors: dict[str, str] = {}
    changed = []
    for score in scores:
        if score.pk not in entries:
            continue
        text, reason = entries[score.pk]
        reason = " ".join(str(reason).split())
        final = _points(text)
        field = f"s{score.pk}"
        if final is None:
            errors[f"{field}-final"] = _("请输入数字得分。")
            continue
        if final < 0 or final > score.max_points:
            errors[f"{field}-final"] = _("得分须在0到%(max)s之间。") % {"max": score.max_points}
            continue
        if final != final.quantize(Decimal("0.1")):
            errors[f"{field}-final"] = _("得分最多保留一位小数。")
            continue
        if final != score.proposed and not reason:
            errors[f"{field}-reason"] = _(
                "最终得分与建议分（%(proposed)s）不同，须填写调整理由。"
            ) % {"proposed": score.proposed}
            continue
        if final == score.proposed:
            reason = ""
        if (final, reason) != (score.final, score.reason):
            score.final, score.reason = final, reason
            score.adjusted_by = user if reason else None
            changed.append(score)
    if errors:
        raise ValidationError(errors)
    if changed:
        bulk_update_with_history(changed, AssessmentScore, ["final", "reason", "adjusted_by"],
                                 batch_size=BATCH_SIZE, default_user=user)
        _rank(round_, user)
    return len(changed)


@transaction.atomic
def assessment_round_close(
    *, round_: AssessmentRound, user: User | None, at: datetime.datetime | None = None
) -> AssessmentRound:
    """Close the round (now, or `at` when recording a past closing): totals, ranks and grades
    are final and locked."""
    round_ = _locked(round_)
    if not round_.assessments.exists():
        raise ValidationError(_("本次考核还没有生成评分，不能关闭。"))
    round_.closed_at = at or timezone.now()
    round_.closed_by = user
    round_.save()
    return round_


@transaction.atomic
def commendation_record(
    *, assessment: Assessment, secretary: str, reward: str, promotion: str,
    given_on: datetime.date, note: str = "", user: User | None,
) -> Commendation:
    """Record a reward or promotion given to an outstanding committee's secretary."""
    assessment = Assessment.objects.select_related("round").get(pk=assessment.pk)
    if not assessment.round.is_closed:
        raise ValidationError(_("考核关闭、结果确定后才能记录表彰和提拔。"))
    errors: dict[str, str] = {}
    if not assessment.outstanding:
        errors["assessment"] = _("只能为优秀书记所在的联合党组织记录表彰和提拔。")
    closed_on = timezone.localdate(assessment.round.closed_at)
    if given_on < closed_on:
        errors["given_on"] = _("日期不能早于考核关闭日期（%(date)s）。") % {
            "date": closed_on.isoformat()}
    if errors:
        raise ValidationError(errors)
    commendation = Commendation(
        assessment=assessment, secretary=secretary.strip(), reward=reward.strip(),
        promotion=promotion.strip(), given_on=given_on, note=note.strip(), recorded_by=user,
    )
    commendation.full_clean()
    commendation.save()
    return commendation
