"""What secretaries owe on democratic reviews, for their to-do lists and digests.

- an open round (not closed, close date not passed) with members of their committee still
  unrated: one item per committee and round, linking to the rating sheet;
- a member rated 不合格 with no designated helper: one item per member, linking to the page
  where the helper is assigned;
- an open help case with no follow-up for HELP_STALE_DAYS days: one item per case.
Three queries for the items, one for the secretaries, whatever the number of members.
"""

import datetime
from collections.abc import Iterator

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations.reviews.models import HelpAssignment, MemberReview, ReviewRound
from evaluations.reviews.selectors import stale_cutoff
from twinning.shared import permissions
from twinning.shared.reminders import OwedItem

Rating = MemberReview.Rating


def reviews_owed(today: datetime.date) -> Iterator[OwedItem]:
    open_rounds = ReviewRound.objects.filter(
        closed_at__isnull=True, opened_on__lte=today, closes_on__gte=today
    )
    unrated = list(
        MemberReview.objects.filter(round__in=open_rounds, rating="",
                                    committee__dissolved_on__isnull=True)
        .order_by().values("round_id", "committee_id", "committee__code")
        .annotate(n=Count("pk"))
    )
    rounds = {r.pk: r for r in open_rounds} if unrated else {}
    active = {"committee__dissolved_on__isnull": True}
    unassigned = list(
        MemberReview.objects.filter(rating=Rating.UNQUALIFIED, help__isnull=True, **active)
        .select_related("member", "round").order_by("pk")
    )
    cutoff = stale_cutoff(today)
    stale = [
        case for case in HelpAssignment.objects.filter(
            status=HelpAssignment.Status.OPEN, review__committee__dissolved_on__isnull=True
        ).select_related("review__member").order_by("pk")
        if (case.last_follow_up_on or case.assigned_on) < cutoff
    ]
    committees = ({row["committee_id"] for row in unrated}
                  | {r.committee_id for r in unassigned}
                  | {c.review.committee_id for c in stale})
    secretaries: dict[int, list[int]] = {}
    for user_id, committee_id in permissions.users_with("manage", committees):
        secretaries.setdefault(committee_id, []).append(user_id)
    for row in unrated:
        review_round = rounds[row["round_id"]]
        text = _("%(round)s民主评议：还有%(n)s名党员未评定（%(due)s截止）。") % {
            "round": review_round, "n": row["n"], "due": review_round.closes_on.isoformat(),
        }
        url = reverse("review_sheet", args=[review_round.pk, row["committee__code"]])
        for user_id in secretaries.get(row["committee_id"], ()):
            yield OwedItem(user_id, f"review:{review_round.pk}:{row['committee_id']}", text, url)
    for review in unassigned:
        text = _("%(round)s评定为不合格的党员%(name)s尚未安排帮促人。") % {
            "round": review.round, "name": review.member.name,
        }
        url = reverse("help_assign", args=[review.pk])
        for user_id in secretaries.get(review.committee_id, ()):
            yield OwedItem(user_id, f"help-unassigned:{review.pk}", text, url)
    for case in stale:
        last = case.last_follow_up_on or case.assigned_on
        text = _("帮促对象%(name)s自%(day)s以来没有跟进记录，请记录帮促情况。") % {
            "name": case.review.member.name, "day": last.isoformat(),
        }
        url = reverse("help_detail", args=[case.pk])
        for user_id in secretaries.get(case.review.committee_id, ()):
            yield OwedItem(user_id, f"help-stale:{case.pk}", text, url, remind=False)
