"""Reads for the democratic review: progress, rating sheets, help cases, 第八表, bulletin 六.

Every figure is a conditional count in the database (`review_counts`), shared by the round
page, the 第八表 export and the bulletin, so they cannot disagree; each function makes a fixed
number of queries whatever the number of members.
"""

import datetime
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, DateField, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from branches.models import Member
from evaluations.reviews.models import HelpAssignment, MemberReview, ReviewRound
from twinning.committees.models import JointCommittee
from twinning.shared import kept_figures, permissions
from twinning.shared.periods import month_end

Rating = MemberReview.Rating
OPEN = HelpAssignment.Status.OPEN


def stale_days() -> int:
    return settings.HELP_STALE_DAYS


def stale_cutoff(today: datetime.date | None = None) -> datetime.date:
    """Open cases whose last follow-up (or assignment) is before this day are stale."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=stale_days())


def stale_q(prefix: str = "", today: datetime.date | None = None) -> Q:
    """An open help case with no follow-up for `HELP_STALE_DAYS` days (none since assigned)."""
    cutoff = stale_cutoff(today)
    p = f"{prefix}help__"
    return Q(**{f"{p}status": OPEN}) & (
        Q(**{f"{p}last_follow_up_on__lt": cutoff})
        | Q(**{f"{p}last_follow_up_on__isnull": True, f"{p}assigned_on__lt": cutoff})
    )


def review_counts(prefix: str = "", within: Q | None = None) -> dict[str, Count]:
    """Conditional counts over member reviews reached through `prefix` (e.g. from a committee:
    `member_reviews__`), restricted by `within` (e.g. one round)."""

    def count(condition: Q) -> Count:
        combined = (within & condition) if within is not None else condition
        return Count(f"{prefix}pk", filter=combined or None)

    rating = f"{prefix}rating"
    unqualified = Q(**{rating: Rating.UNQUALIFIED})
    has_help = Q(**{f"{prefix}help__isnull": False})
    no_help = Q(**{f"{prefix}help__isnull": True})
    return {
        "total": count(Q()),
        "rated": count(~Q(**{rating: ""})),
        **{r.value: count(Q(**{rating: r.value})) for r in Rating},
        "helped": count(unqualified & has_help),
        "unassigned": count(unqualified & no_help),
        "help_open": count(Q(**{f"{prefix}help__status": OPEN})),
        "stale": count(stale_q(prefix)),
    }


@dataclass(frozen=True)
class Counts:
    """The figures of a set of reviews: roster, ratings, help."""

    total: int = 0
    rated: int = 0
    excellent: int = 0
    qualified: int = 0
    basic: int = 0
    unqualified: int = 0
    helped: int = 0
    unassigned: int = 0
    help_open: int = 0
    stale: int = 0

    @classmethod
    def of(cls, source: Any) -> "Counts":
        """From an aggregate dict or an annotated object."""
        get = source.get if isinstance(source, dict) else lambda n: getattr(source, n, 0)
        return cls(**{f.name: get(f.name) or 0 for f in fields(cls)})

    @property
    def unrated(self) -> int:
        return self.total - self.rated

    @property
    def help_closed(self) -> int:
        return self.helped - self.help_open

    @property
    def percent(self) -> int:
        return round(self.rated * 100 / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.rated == self.total

    def share(self, rating: str) -> Decimal:
        """A rating's share of those rated, in percent with one decimal, rounded half up."""
        if not self.rated:
            return Decimal("0.0")
        exact = Decimal(getattr(self, rating)) * 100 / Decimal(self.rated)
        return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def excellent_over_third(self) -> bool:
        # 评定为“优秀”的比例一般不超过党员总数的1/3.
        return self.excellent * 3 > self.total

    @property
    def distribution(self) -> list[tuple[str, str, int, Decimal]]:
        return [(r.value, str(r.label), getattr(self, r.value), self.share(r.value))
                for r in Rating]


def _aggregate(reviews: QuerySet) -> Counts:
    return Counts.of(reviews.aggregate(**review_counts()))


# Rounds -------------------------------------------------------------------------------

def rounds_with_counts(user: Any, rounds: list[ReviewRound]) -> list[tuple[ReviewRound, Counts]]:
    """Each round with the figures of the reviews the user may see in it (one query)."""
    reviews = permissions.visible(user, MemberReview.objects.filter(round__in=rounds))
    by_round = {
        row["round"]: Counts.of(row)
        for row in reviews.values("round").annotate(**review_counts()).order_by()
    }
    return [(r, by_round.get(r.pk, Counts())) for r in rounds]


def round_progress(
    user: Any, review_round: ReviewRound, params: Any
) -> tuple[QuerySet, Counts]:
    """Committees on the round's roster that the user may see, each annotated with its
    counts, filtered by the page's parameters; and the totals of the filtered set."""
    reviews = permissions.visible(user, MemberReview.objects.filter(round=review_round))
    committees = (
        JointCommittee.objects.filter(pk__in=reviews.values("committee_id"))
        .select_related("town")
        .annotate(**review_counts("member_reviews__", Q(member_reviews__round=review_round)))
    )
    q = (params.get("q") or "").strip()
    if q:
        committees = committees.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if params.get("town"):
        committees = committees.filter(town__code=params["town"])
    status = params.get("status")
    if status == "todo":
        committees = committees.filter(rated__lt=F("total"))
    elif status == "done":
        committees = committees.filter(rated=F("total"))
    elif status in ("unassigned", "stale"):
        committees = committees.filter(**{f"{status}__gt": 0})
    committees = committees.order_by("town__code", "code")
    totals = _aggregate(reviews.filter(committee__in=committees.values("pk")))
    return committees, totals


def committee_rows(committees: Any) -> list[tuple[JointCommittee, Counts]]:
    return [(c, Counts.of(c)) for c in committees]


# The rating sheet ---------------------------------------------------------------------

def _role_order(field: str) -> Case:
    """Secretary, deputy, committee member, member: the order of `Member.Role`."""
    roles = Member.Role.values
    return Case(*(When(**{field: role}, then=Value(i)) for i, role in enumerate(roles)),
                default=Value(len(roles)))


def sheet_rows(review_round: ReviewRound, committee: JointCommittee) -> list[MemberReview]:
    """The committee's roster in the round: urban branch first, officers first, by name."""
    return list(
        MemberReview.objects.filter(round=review_round, committee=committee)
        .select_related("member", "member__branch", "help", "help__helper")
        .annotate(
            urban_first=Case(
                When(member__branch_id=committee.urban_id, then=Value(0)), default=Value(1)
            ),
            role_order=_role_order("member__role"),
        )
        .order_by("urban_first", "member__branch__code", "role_order", "member__name", "pk")
    )


def committee_counts(review_round: ReviewRound, committee: JointCommittee) -> Counts:
    return _aggregate(MemberReview.objects.filter(round=review_round, committee=committee))


# Help for the unqualified -------------------------------------------------------------

HELP_STATES = ("unassigned", "stale", "open", "closed")


def _help_state() -> Case:
    return Case(
        When(help__isnull=True, then=Value("unassigned")),
        When(stale_q(), then=Value("stale")),
        When(help__status=OPEN, then=Value("open")),
        default=Value("closed"),
    )


def help_cases(user: Any, params: Any) -> QuerySet:
    """Members rated 不合格 that the user may see, with their case; flagged ones first."""
    qs = permissions.visible(user, MemberReview.objects.filter(rating=Rating.UNQUALIFIED))
    qs = qs.select_related(
        "round", "member", "member__branch", "committee", "committee__town", "help",
        "help__helper",
    ).annotate(
        state=_help_state(),
        state_order=Case(
            *(When(state=s, then=Value(i)) for i, s in enumerate(HELP_STATES)),
            default=Value(len(HELP_STATES)),
        ),
    )
    if params.get("state") in HELP_STATES:
        qs = qs.filter(state=params["state"])
    if params.get("round", "").isdigit():
        qs = qs.filter(round_id=int(params["round"]))
    if params.get("town"):
        qs = qs.filter(committee__town__code=params["town"])
    if params.get("committee"):
        qs = qs.filter(committee__code=params["committee"])
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(member__name__icontains=q) | Q(committee__name__icontains=q))
    return qs.order_by(
        "state_order", "-round__year", "-round__half", "committee__code", "member__name"
    )


def help_flags(user: Any) -> Counts:
    """Cases the user may see: unassigned 不合格, stale and open ones (one query)."""
    return _aggregate(
        permissions.visible(user, MemberReview.objects.filter(rating=Rating.UNQUALIFIED))
    )


def helper_choices(review: MemberReview) -> QuerySet:
    """Who may help: members on the same committee's roster in the round, officers first."""
    candidates = MemberReview.objects.filter(
        round_id=review.round_id, committee_id=review.committee_id
    ).exclude(member_id=review.member_id).exclude(rating=Rating.UNQUALIFIED)
    return (
        Member.objects.filter(pk__in=candidates.values("member_id"))
        .select_related("branch")
        .annotate(role_order=_role_order("role"))
        .order_by("role_order", "branch__code", "name")
    )


# Home page and committee page panels --------------------------------------------------

@dataclass
class HomePanel:
    review_round: ReviewRound | None
    counts: Counts
    flags: Counts
    committees: list[JointCommittee]
    cases: list[MemberReview]


def home_panel(user: Any) -> HomePanel | None:
    """What a home page shows about reviews; None for roles that see no ratings."""
    if not permissions.can(user, "view_member_data"):
        return None
    latest = permissions.visible(user, ReviewRound.objects.all()).first()
    counts = Counts()
    if latest is not None:
        counts = kept_figures.remember("review-counts", _aggregate,
                               permissions.visible(user, latest.reviews.all()))
    panel = HomePanel(latest, counts, help_flags(user), [], [])
    if permissions.can(user, "enter_reviews"):
        panel.committees = list(
            permissions.visible(user, JointCommittee.objects.filter(member_reviews__round=latest))
            .distinct().order_by("code")
        ) if latest else []
        panel.cases = list(help_cases(user, {}).exclude(state="closed")[:10])
    return panel


@dataclass
class CommitteePanel:
    rounds: list[tuple[ReviewRound, Counts]]
    flagged: list[MemberReview]


def committee_panel(committee: JointCommittee) -> CommitteePanel:
    """A committee's results round by round, and its flagged help cases (three queries)."""
    per_round = list(
        MemberReview.objects.filter(committee=committee)
        .values("round").annotate(**review_counts()).order_by()
    )
    rounds = ReviewRound.objects.in_bulk([row["round"] for row in per_round])
    ordered = sorted(
        ((rounds[row["round"]], Counts.of(row)) for row in per_round),
        key=lambda pair: (pair[0].year, pair[0].half), reverse=True,
    )
    flagged = (
        MemberReview.objects.filter(committee=committee, rating=Rating.UNQUALIFIED)
        .select_related("round", "member", "member__branch", "help")
        .annotate(state=_help_state())
        .filter(state__in=["unassigned", "stale"])
        .order_by("-round__year", "-round__half", "member__name")
    )
    return CommitteePanel(ordered, list(flagged))


# Bulletin section 六 -----------------------------------------------------------------

def _locked_on() -> Case:
    """The day a round's ratings locked, in the database: the same rule as
    `ReviewRound.locked_on` (the earlier of the closing day and the close date)."""
    return Case(
        When(closed_at__date__lte=F("closes_on"), then=TruncDate("closed_at")),
        default=F("closes_on"),
        output_field=DateField(),
    )


def round_locked_in(
    period: datetime.date, today: datetime.date | None = None
) -> ReviewRound | None:
    """The round whose ratings locked in the month starting at `period`, if any (the latest
    one should there be two); a round still open today does not count."""
    today = today or timezone.localdate()
    return (
        ReviewRound.objects.annotate(locked=_locked_on())
        .filter(locked__range=(period, month_end(period)))
        .filter(Q(closed_at__isnull=False) | Q(closes_on__lt=today))
        .order_by("-locked", "-pk")
        .first()
    )


@dataclass(frozen=True)
class TownReviews:
    code: str
    name: str
    counts: Counts


@dataclass(frozen=True)
class ReviewSummary:
    """Section 六's review part: a closed round's results over a set of committees."""

    review_round: ReviewRound
    counts: Counts
    by_town: list[TownReviews]
    stale_days: int

    @property
    def title(self) -> str:
        return f"{self.review_round}民主评议党员"


def review_summary(
    period: datetime.date, committees: QuerySet | None = None
) -> ReviewSummary | None:
    """The results of the review round that closed in the month `period`, or None.

    A round "closed in the month" when its ratings locked then: on the day the department
    closed it, or on its close date if that came first (or it was never closed by hand).
    Ratings are the locked ones; help figures are as at the time of the call (the bulletin's
    build). Three queries: the round, the totals, the figures by town (the committee's town).
    """
    review_round = round_locked_in(period)
    if review_round is None:
        return None
    reviews = MemberReview.objects.filter(round=review_round)
    if committees is not None:
        reviews = reviews.filter(committee__in=committees)
    by_town = (
        reviews.values("committee__town__code", "committee__town__name")
        .annotate(**review_counts())
        .order_by("committee__town__code")
    )
    return ReviewSummary(
        review_round=review_round,
        counts=_aggregate(reviews),
        by_town=[
            TownReviews(row["committee__town__code"], row["committee__town__name"],
                        Counts.of(row))
            for row in by_town
        ],
        stale_days=stale_days(),
    )
