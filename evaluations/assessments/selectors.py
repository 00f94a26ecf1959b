"""Reads for the assessment of joint committees: the ranking, a committee's scores, bulletin 六.

Who sees what is registered in `EvaluationsConfig.ready`; every function makes a fixed number
of queries.
"""

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from evaluations.assessments.models import (
    Assessment,
    AssessmentRound,
    AssessmentScore,
    Commendation,
)
from twinning.shared import permissions
from twinning.shared.periods import month_end

Grade = Assessment.Grade
SUMMARY_SIZE = 10
def ranking(user: Any, round_: AssessmentRound, params: Any) -> QuerySet:
    """The round's results the user may see, by rank, filtered by town, grade and search."""
    qs = permissions.visible(user, round_.assessments.all()).select_related(
        "committee", "committee__town"
    )
    if params.get("town"):
        qs = qs.filter(committee__town__code=params["town"])
    if params.get("grade") in Grade.values:
        qs = qs.filter(grade=params["grade"])
    if params.get("outstanding"):
        qs = qs.filter(outstanding=True)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(committee__name__icontains=q) | Q(committee__code__icontains=q))
    return qs.order_by("rank", "committee__code")


@dataclass(frozen=True)
class GradeCount:
    grade: str
    label: str
    count: int
    share: int  # percent, rounded


def grade_counts(assessments: QuerySet) -> list[GradeCount]:
    """How many of `assessments` got each grade (one query)."""
    counts = Counter(dict(
        assessments.order_by().values("grade").annotate(n=Count("id")).values_list("grade", "n")
    ))
    total = sum(counts.values())
    return [GradeCount(g.value, str(g.label), counts.get(g.value, 0),
                       round(counts.get(g.value, 0) * 100 / total) if total else 0)
            for g in Grade]


def scores_of(assessment: Assessment) -> list[AssessmentScore]:
    return list(assessment.scores.select_related("adjusted_by").order_by("order", "pk"))


def commendations(user: Any, round_: AssessmentRound) -> list[Commendation]:
    return list(
        permissions.visible(user, Commendation.objects.filter(assessment__round=round_))
        .select_related("assessment__committee__town")
    )


# Bulletin section 六 ---------------------------------------------------------------

@dataclass(frozen=True)
class AssessmentSummary:
    """Section 六's assessment part: a round closed in the month, over a set of committees."""

    round: AssessmentRound
    count: int
    top: list[Assessment]
    bottom: list[Assessment]
    grades: list[GradeCount]
    outstanding: list[Assessment]
    commendations: list[Commendation]

    @property
    def closed_on(self) -> datetime.date:
        return timezone.localdate(self.round.closed_at)


def round_closed_in(period: datetime.date) -> AssessmentRound | None:
    """The round the department closed in the month starting at `period` (the latest)."""
    start = timezone.make_aware(datetime.datetime.combine(period, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(month_end(period) + datetime.timedelta(days=1),
                                  datetime.time.min)
    )
    return (AssessmentRound.objects.filter(closed_at__gte=start, closed_at__lt=end)
            .order_by("-closed_at").first())


def assessment_summary(
    period: datetime.date, committees: QuerySet | None = None
) -> AssessmentSummary | None:
    """The results of the assessment round closed in the month `period`, or None.

    Ranks are the round's citywide ranks. The top and bottom are the first and last
    `SUMMARY_SIZE` of the ranking (the bottom leaves out committees already in the top);
    outstanding are those flagged 优秀书记; commendations those recorded for the round by the
    time of the call. Six queries whatever the number of committees.
    """
    round_ = round_closed_in(period)
    if round_ is None:
        return None
    results = round_.assessments.select_related("committee", "committee__town", "committee__urban")
    if committees is not None:
        results = results.filter(committee__in=committees)
    ranked = results.order_by("rank", "committee__code")
    top = list(ranked[:SUMMARY_SIZE])
    bottom = list(reversed(ranked.reverse()[:SUMMARY_SIZE]))
    shown = {a.pk for a in top}
    grades = grade_counts(results)
    return AssessmentSummary(
        round=round_,
        count=sum(g.count for g in grades),
        top=top,
        bottom=[a for a in bottom if a.pk not in shown],
        grades=grades,
        outstanding=list(ranked.filter(outstanding=True)),
        commendations=list(
            Commendation.objects.filter(assessment__in=results.values("pk"))
            .select_related("assessment__committee").order_by("given_on", "pk")
        ),
    )
