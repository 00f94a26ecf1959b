"""Writes for the democratic review: rounds, the committee's rating sheet, help cases.

Rules the issue left open, decided here:
- A round's roster is fixed when it opens: every member of the urban branch and of each
  current village of every active committee. A branch that leads several committees (the
  tobacco company leads three) has its members reviewed once, by the earliest-established of
  them (then the lowest code).
- The close date itself is still open for entry; the round locks the day after, or at once
  when the department closes it. Locked ratings never change.
- The department, town staff (for their town's committees) and the committee's secretary may
  enter ratings and assign helpers; `entered_by` and the history say who did.
- A helper is a member on the same committee's roster in the same round, not the member
  helped and not someone rated 不合格 in that round.
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branches.models import Member
from evaluations.reviews.models import HelpAssignment, HelpFollowUp, MemberReview, ReviewRound
from twinning.committees.models import CommitteeVillage, JointCommittee

BATCH_SIZE = 500
BASIS_MAX = MemberReview._meta.get_field("basis").max_length
# "赞成票 25/28", "25／28": votes for, over those who voted.
VOTES = re.compile(r"(\d+)\s*[/／]\s*(\d+)")
Rating = MemberReview.Rating
NEEDS_BASIS = (Rating.BASIC, Rating.UNQUALIFIED)


def half_start(year: int, half: str) -> datetime.date:
    return datetime.date(year, 1 if half == ReviewRound.Half.FIRST else 7, 1)


def half_end(year: int, half: str) -> datetime.date:
    return datetime.date(year, 6, 30) if half == ReviewRound.Half.FIRST else datetime.date(
        year, 12, 31
    )


def roster_committees() -> dict[int, int]:
    """Member id -> the active committee that reviews the member, by the roster rule."""
    committees = JointCommittee.objects.filter(dissolved_on__isnull=True).order_by(
        "established_on", "code"
    )
    committee_of_branch: dict[int, int] = {}
    for committee_id, urban_id in committees.values_list("pk", "urban_id"):
        committee_of_branch.setdefault(urban_id, committee_id)
    villages = CommitteeVillage.objects.filter(
        left_on__isnull=True, committee__dissolved_on__isnull=True
    ).values_list("village_id", "committee_id")
    for village_id, committee_id in villages:
        committee_of_branch.setdefault(village_id, committee_id)
    members = Member.objects.filter(branch_id__in=committee_of_branch).values_list(
        "pk", "branch_id"
    )
    return {pk: committee_of_branch[branch] for pk, branch in members.order_by("pk")}


def roster_rows(review_round: ReviewRound) -> list[MemberReview]:
    """Unsaved rows for the members of active committees not yet on the round's roster."""
    on_roster = set(
        MemberReview.objects.filter(round=review_round).values_list("member_id", flat=True)
    )
    return [
        MemberReview(round=review_round, member_id=member_id, committee_id=committee_id)
        for member_id, committee_id in roster_committees().items()
        if member_id not in on_roster
    ]


def _check_dates(review_round: ReviewRound) -> None:
    start = half_start(review_round.year, review_round.half)
    if review_round.opened_on < start:
        raise ValidationError({"opened_on": _("%(round)s的评议不能早于%(date)s开始。") % {
            "round": str(review_round), "date": start.isoformat()}})
    if review_round.closes_on < timezone.localdate():
        raise ValidationError({"closes_on": _("截止日期不能早于今天。")})


@transaction.atomic
def review_round_open(
    *, year: int, half: str, opened_on: datetime.date, closes_on: datetime.date,
    user: User | None,
) -> ReviewRound:
    """Open a half-year's review and fix its roster: one row per member to be rated."""
    review_round = ReviewRound(
        year=year, half=half, opened_on=opened_on, closes_on=closes_on, opened_by=user
    )
    review_round.full_clean()
    _check_dates(review_round)
    review_round.save()
    bulk_create_with_history(
        roster_rows(review_round), MemberReview, batch_size=BATCH_SIZE, default_user=user
    )
    return review_round


def _locked_round(review_round: ReviewRound) -> ReviewRound:
    """The round, re-read under a row lock so a save and a closing never interleave."""
    return ReviewRound.objects.select_for_update().get(pk=review_round.pk)


def _check_not_closed(review_round: ReviewRound) -> None:
    if review_round.closed_at is not None:
        raise ValidationError(review_round.lock_message())


@transaction.atomic
def review_round_update(*, review_round: ReviewRound, closes_on: datetime.date) -> ReviewRound:
    """Move the close date; extending it reopens entry after the date has passed."""
    review_round = _locked_round(review_round)
    _check_not_closed(review_round)
    review_round.closes_on = closes_on
    review_round.full_clean()
    _check_dates(review_round)
    review_round.save()
    return review_round


@transaction.atomic
def review_round_close(*, review_round: ReviewRound, user: User | None) -> ReviewRound:
    """Close the round now: its ratings are locked for good."""
    review_round = _locked_round(review_round)
    _check_not_closed(review_round)
    review_round.closed_at = timezone.now()
    review_round.closed_by = user
    review_round.save()
    return review_round


@transaction.atomic
def review_round_fill_roster(*, review_round: ReviewRound, user: User | None) -> int:
    """Add members registered since the round opened; returns how many were added."""
    review_round = _locked_round(review_round)
    if review_round.is_locked():
        raise ValidationError(review_round.lock_message())
    rows = roster_rows(review_round)
    bulk_create_with_history(rows, MemberReview, batch_size=BATCH_SIZE, default_user=user)
    return len(rows)


@dataclass(frozen=True)
class RatingEntry:
    """What was typed in one row of the sheet."""

    rating: str
    basis: str

    def cleaned(self) -> "RatingEntry":
        return RatingEntry(self.rating.strip(), " ".join(self.basis.split()))


@dataclass
class SheetResult:
    saved: int = 0
    errors: dict[int, str] = field(default_factory=dict)  # review id -> message


def _row_error(entry: RatingEntry, *, under_help: bool) -> str | None:
    """Why this row cannot be saved, in words the secretary can act on; None if it can."""
    rating, basis = entry.rating, entry.basis
    if rating and rating not in Rating.values:
        return _("评定等次无效，请从列表中选择。")
    if not rating and basis:
        return _("已填写票数或依据，但未选择评定等次。")
    if rating in NEEDS_BASIS and not basis:
        return _("评为“%(rating)s”须填写票数或评议依据。") % {"rating": Rating(rating).label}
    if len(basis) > BASIS_MAX:
        return _("票数或依据不能超过%(max)s字（现为%(n)s字）。") % {
            "max": BASIS_MAX, "n": len(basis)}
    for match in VOTES.finditer(basis):
        votes, voters = int(match.group(1)), int(match.group(2))
        if voters == 0 or votes > voters:
            return _("票数“%(text)s”有误：赞成票不能多于参加投票的人数。") % {
                "text": match.group(0)}
    if under_help and rating != Rating.UNQUALIFIED:
        return _("该党员已安排专人帮促，不能改为其他等次；如系误录，请联系组织部。")
    return None


@transaction.atomic
def member_reviews_save(
    *,
    review_round: ReviewRound,
    committee: JointCommittee,
    entries: Mapping[int, RatingEntry],
    user: User | None,
) -> SheetResult:
    """Save a committee's rating sheet: every valid row is kept, each invalid row reported.

    `entries` maps review ids to what was typed; ids that are not this committee's rows in
    this round are ignored. Unchanged rows are not written. A fixed number of queries
    whatever the committee's size: one read, one bulk update, one bulk history insert.
    """
    review_round = _locked_round(review_round)
    if review_round.is_locked():
        raise ValidationError(review_round.lock_message())
    rows = MemberReview.objects.filter(round=review_round, committee=committee).annotate(
        under_help=Exists(HelpAssignment.objects.filter(review=OuterRef("pk")))
    )
    result = SheetResult()
    changed = []
    now = timezone.now()
    for row in rows:
        if row.pk not in entries:
            continue
        entry = entries[row.pk].cleaned()
        message = _row_error(entry, under_help=row.under_help)
        if message:
            result.errors[row.pk] = message
        elif (entry.rating, entry.basis) != (row.rating, row.basis):
            row.rating, row.basis = entry.rating, entry.basis
            row.entered_by, row.entered_at = user, now
            changed.append(row)
    if changed:
        bulk_update_with_history(
            changed, MemberReview, ["rating", "basis", "entered_by", "entered_at"],
            batch_size=BATCH_SIZE, default_user=user,
        )
    result.saved = len(changed)
    return result


def _check_day(errors: dict[str, str], name: str, day: datetime.date,
               earliest: datetime.date, earliest_label: str) -> None:
    if day > timezone.localdate():
        errors[name] = _("日期不能晚于今天。")
    elif day < earliest:
        errors[name] = _("日期不能早于%(what)s（%(date)s）。") % {
            "what": earliest_label, "date": earliest.isoformat()}


@transaction.atomic
def help_assign(
    *, review: MemberReview, helper: Member, plan: str, assigned_on: datetime.date,
    user: User | None,
) -> HelpAssignment:
    """Designate (or change) the helper of a member rated 不合格, with a plan."""
    review = MemberReview.objects.select_for_update(of=("self",)).select_related(
        "round", "committee", "member"
    ).get(pk=review.pk)
    if review.rating != Rating.UNQUALIFIED:
        raise ValidationError(_("只有评为不合格的党员需要安排专人帮促。"))
    errors: dict[str, str] = {}
    helper_row = MemberReview.objects.filter(
        round=review.round, committee=review.committee, member=helper
    ).first()
    if helper.pk == review.member_id:
        errors["helper"] = _("帮促人不能是被帮促的党员本人。")
    elif helper_row is None:
        errors["helper"] = _("帮促人须是「%(committee)s」本次评议名单中的党员。") % {
            "committee": review.committee.name}
    elif helper_row.rating == Rating.UNQUALIFIED:
        errors["helper"] = _("「%(name)s」本次评议为不合格，不能担任帮促人。") % {
            "name": helper.name}
    if not plan.strip():
        errors["plan"] = _("请填写帮促计划。")
    _check_day(errors, "assigned_on", assigned_on, review.round.opened_on, _("本次评议开始日期"))
    if errors:
        raise ValidationError(errors)
    assignment = HelpAssignment.objects.filter(review=review).first()
    if assignment is None:
        assignment = HelpAssignment(review=review)
    elif not assignment.is_open:
        raise ValidationError(_("该帮促已于%(date)s结束，不能再修改。") % {
            "date": assignment.closed_on.isoformat()})
    assignment.helper = helper
    assignment.plan = plan.strip()
    assignment.assigned_on = assigned_on
    assignment.assigned_by = user
    assignment.full_clean()
    assignment.save()
    return assignment


def _open_assignment(assignment: HelpAssignment) -> HelpAssignment:
    assignment = HelpAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not assignment.is_open:
        raise ValidationError(_("该帮促已于%(date)s结束。") % {
            "date": assignment.closed_on.isoformat()})
    return assignment


@transaction.atomic
def help_follow_up_add(
    *, assignment: HelpAssignment, date: datetime.date, note: str, user: User | None
) -> HelpFollowUp:
    """Record a dated follow-up; it resets the case's staleness clock."""
    assignment = _open_assignment(assignment)
    errors: dict[str, str] = {}
    if not note.strip():
        errors["note"] = _("请填写跟进情况。")
    _check_day(errors, "date", date, assignment.assigned_on, _("安排日期"))
    if errors:
        raise ValidationError(errors)
    follow_up = HelpFollowUp.objects.create(
        assignment=assignment, date=date, note=note.strip(), recorded_by=user
    )
    if assignment.last_follow_up_on is None or date > assignment.last_follow_up_on:
        assignment.last_follow_up_on = date
        assignment.save(update_fields=["last_follow_up_on"])
    return follow_up


@transaction.atomic
def help_close(
    *, assignment: HelpAssignment, closed_on: datetime.date, outcome: str
) -> HelpAssignment:
    """End a case with its outcome (e.g. 已转化为合格, 组织处置)."""
    assignment = _open_assignment(assignment)
    errors: dict[str, str] = {}
    if not outcome.strip():
        errors["outcome"] = _("请填写帮促结果。")
    _check_day(errors, "closed_on", closed_on, assignment.assigned_on, _("安排日期"))
    if errors:
        raise ValidationError(errors)
    assignment.status = HelpAssignment.Status.CLOSED
    assignment.closed_on = closed_on
    assignment.outcome = outcome.strip()
    assignment.full_clean()
    assignment.save()
    return assignment
