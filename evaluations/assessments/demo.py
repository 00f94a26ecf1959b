"""The demo city's assessments of joint committees (联合党组织考核).

Two rounds, both closed: the same two half-years as the democratic reviews
(`reviews.demo.demo_halves`). Each is opened five days after its half ends, its scores are
proposed from the demo records (as of its closing day), the department adjusts a few scores
with a reason, and it closes 25 days after the half (or today, if that is sooner). Then five
outstanding secretaries are commended and promoted to deputy heads of subdistrict offices
(街道办事处副主任; of their own subdistrict where the committee is in one) — three after the
older round, two after the latest, as in the reference city — each promoted once.

The demo department grades against the field, as many do: once the proposals are in, it sets
the lines at the totals reached by the best 15%, the best half and all but the last 12%
(as whole percentages of the maximum), so roughly 15% are 优秀, 35% 良好, 38% 一般, 12% 较差.

Choices are drawn from the seed over committee codes, so they do not depend on database ids.
A round already there (by year and half) is left as it is, scores and commendations and all,
so a second run writes nothing.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from branches.demo import DEMO_SEED, Tally
from branches.models import Town
from evaluations.assessments.models import (
    Assessment,
    AssessmentRound,
    AssessmentScore,
    Commendation,
)
from evaluations.assessments.scores import half_bounds
from evaluations.assessments.services import (
    assessment_adjust,
    assessment_generate,
    assessment_round_close,
    assessment_round_open,
    assessment_round_update,
    commendation_record,
)
from evaluations.reviews.demo import demo_halves

ADJUSTED_PER_ROUND = 3
PROMOTED = (3, 2)  # secretaries promoted after the older and the latest round: 5 in all
# The department's adjustments: (criterion, points added or taken, reason).
ADJUSTMENTS = (
    ("党建工作", Decimal(-3), "督查发现“三会一课”记录补写，核减"),
    ("互帮互助", Decimal(2), "结对帮扶困难户成效经镇街核实，台账未及时录入，酌情加分"),
    ("乡风文明", Decimal(-2), "文化活动参与群众较少、形式单一，核减"),
    ("经济发展", Decimal(3), "合作社带动增收经审计确认，部分投资未在系统登记，酌情加分"),
)
REWARD = "通报表扬，评为优秀联合党组织书记"
# Shares of committees at or above each line: 优秀, 良好, 一般.
LINE_SHARES = (0.15, 0.50, 0.88)


def _dates(year: int, half: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    _first, last = half_bounds(year, half)
    closes = min(last + datetime.timedelta(days=25), today)
    return min(last + datetime.timedelta(days=5), closes), closes


def _set_lines(round_: AssessmentRound) -> None:
    shares = sorted(
        (a.total * 100 / a.max_total for a in round_.assessments.all() if a.max_total),
        reverse=True,
    )
    if not shares:
        return
    lines = [int(shares[min(int(len(shares) * share), len(shares) - 1)]) for share in LINE_SHARES]
    for i in (1, 2):  # the lines must fall strictly
        lines[i] = min(lines[i], lines[i - 1] - 1)
    assessment_round_update(
        round_=round_, closes_on=round_.closes_on, outstanding_count=round_.outstanding_count,
        excellent_from=lines[0], good_from=lines[1], fair_from=max(lines[2], 0), user=None,
    )


def _adjust(round_: AssessmentRound, rng: random.Random) -> int:
    assessments = list(round_.assessments.select_related("committee").order_by("committee__code"))
    adjusted = 0
    for assessment in rng.sample(assessments, min(ADJUSTED_PER_ROUND, len(assessments))):
        name, delta, reason = rng.choice(ADJUSTMENTS)
        score = AssessmentScore.objects.filter(assessment=assessment, criterion_name=name).first()
        if score is None:
            continue
        final = min(max(score.proposed + delta, Decimal(0)), score.max_points)
        if final != score.proposed:
            adjusted += assessment_adjust(assessment=assessment,
                                          entries={score.pk: (final, reason)}, user=None)
    return adjusted


def _commend(round_: AssessmentRound, count: int, promoted: set[str], rng: random.Random,
             given_on: datetime.date) -> int:
    subdistricts = list(Town.objects.filter(kind=Town.Kind.SUBDISTRICT).order_by("code"))
    if not subdistricts:
        return 0
    candidates = [
        a for a in round_.assessments.filter(outstanding=True)
        .select_related("committee__urban", "committee__town").order_by("rank", "committee__code")
        if a.committee.urban.secretary and a.committee.code not in promoted
    ][:count]
    for assessment in candidates:
        town = assessment.committee.town
        office = town if town.kind == Town.Kind.SUBDISTRICT else rng.choice(subdistricts)
        commendation_record(
            assessment=assessment, secretary=assessment.committee.urban.secretary,
            reward=REWARD, promotion=f"提拔为{office.name}办事处副主任", given_on=given_on,
            note=f"{round_}考核全市第{assessment.rank}名", user=None,
        )
        promoted.add(assessment.committee.code)
    return len(candidates)


def load(seed: int = DEMO_SEED) -> dict[str, Tally]:
    """Create the demo rounds not there yet (relative to today), scored, adjusted and closed."""
    today = timezone.localdate()
    existing = {(r.year, r.half) for r in AssessmentRound.objects.all()}
    promoted = set(
        Commendation.objects.exclude(promotion="")
        .values_list("assessment__committee__code", flat=True)
    )
    created = {"rounds": 0, "assessments": 0, "commendations": 0}
    for (year, half), count in zip(demo_halves(today), PROMOTED, strict=True):
        if (year, half) in existing:
            continue
        rng = random.Random(f"{seed}-assessments-{year}-{half}")
        opened_on, closes_on = _dates(year, half, today)
        round_ = assessment_round_open(
            year=year, half=half, opened_on=opened_on, closes_on=closes_on, user=None
        )
        created["assessments"] += assessment_generate(round_=round_, user=None, today=closes_on)
        _set_lines(round_)
        _adjust(round_, rng)
        at = timezone.make_aware(datetime.datetime.combine(closes_on, datetime.time(17)))
        round_ = assessment_round_close(round_=round_, user=None, at=at)
        given_on = min(closes_on + datetime.timedelta(days=20), today)
        created["commendations"] += _commend(round_, count, promoted, rng, given_on)
        created["rounds"] += 1
    totals = {"rounds": AssessmentRound.objects.count(),
              "assessments": Assessment.objects.count(),
              "commendations": Commendation.objects.count()}
    return {
        str(AssessmentRound._meta.verbose_name):
            Tally(created["rounds"], totals["rounds"] - created["rounds"]),
        str(Assessment._meta.verbose_name):
            Tally(created["assessments"], totals["assessments"] - created["assessments"]),
        str(Commendation._meta.verbose_name):
            Tally(created["commendations"], totals["commendations"] - created["commendations"]),
    }
