"""Reads for the advisor page: the problem from the database, and the solved proposals with
their reasons, in a fixed number of queries whatever the city's size."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import Branch
from twinning.advisor import scoring, solver
from twinning.advisor.models import AdvisorSettings, PairRule, ProposalRejection
from twinning.committees.models import CommitteeVillage

REASONS = {
    solver.NO_REACH: gettext_lazy("本镇街没有城市党组织，也没有市直单位可以联建"),
    solver.FORBIDDEN: gettext_lazy("与可联建的城市党组织均被禁止配对"),
    solver.NO_CAPACITY: gettext_lazy("可联建的城市党组织均已达到联建上限"),
    solver.ALONE: gettext_lazy("本镇街待联建的薄弱村不足2个，单独1个村不能组建"),
    solver.OUTSCORED: gettext_lazy("可联建的城市党组织名额已用于更合适的村"),
}


def advisor_settings() -> AdvisorSettings:
    """The settings row, or the defaults before the department first saves it."""
    return AdvisorSettings.objects.first() or AdvisorSettings()


def unpaired_weak_villages():
    held = CommitteeVillage.objects.filter(left_on__isnull=True).values("village_id")
    return Branch.objects.filter(kind=Branch.Kind.VILLAGE, weak=True).exclude(
        pk__in=held
    ).select_related("town")


def urban_branches():
    """Urban branches with `load`: the villages they lead now in active committees."""
    return Branch.objects.exclude(kind=Branch.Kind.VILLAGE).select_related("town").annotate(
        load=Count("led_committees__memberships", filter=Q(
            led_committees__dissolved_on__isnull=True,
            led_committees__memberships__left_on__isnull=True,
        ))
    )


def _industries(branch: Branch) -> tuple[str, ...]:
    return tuple(branch.industry_list)


@dataclass
class Proposal:
    urban: Branch
    villages: list[Branch]
    rows: list[dict]  # per village: the branch, its factors, weighted parts and score
    score: float
    code: str
    name: str

    @property
    def village_codes(self) -> str:
        return ";".join(v.code for v in self.villages)


@dataclass
class Advice:
    proposals: list[Proposal]
    unplaced: list[tuple[Branch, str]]
    settings: AdvisorSettings
    rules: list[PairRule]
    feasible: bool


def weights_of(settings: AdvisorSettings) -> scoring.Weights:
    return scoring.Weights(settings.weight_similarity, settings.weight_complement,
                           settings.weight_nearness, settings.weight_load)


def advice(today: datetime.date) -> Advice:
    """Solve the pairing for today's unpaired weak villages (see `twinning.advisor.solver`)."""
    settings = advisor_settings()
    villages = {b.pk: b for b in unpaired_weak_villages()}
    urbans = {b.pk: b for b in urban_branches()}
    rules = list(PairRule.objects.select_related("urban", "village"))
    codes = {b.code: pk for pk, b in villages.items()}
    rejected = [
        (r.urban_id, frozenset(codes[c] for c in r.village_codes if c in codes))
        for r in ProposalRejection.objects.all()
    ]
    weights = weights_of(settings)
    problem = solver.Problem(
        urbans=[solver.Urban(b.pk, b.kind, b.town_id, _industries(b), b.load)
                for b in urbans.values()],
        villages=[solver.Village(b.pk, b.town_id, _industries(b)) for b in villages.values()],
        weights=weights,
        capacity=settings.capacity,
        committees_per_run=settings.committees_per_run,
        locks=frozenset((r.urban_id, r.village_id) for r in rules if r.kind == PairRule.Kind.LOCK),
        forbidden=frozenset(
            (r.urban_id, r.village_id) for r in rules if r.kind == PairRule.Kind.FORBID
        ),
        rejected=rejected,
    )
    solution = solver.solve(problem)
    proposals = [_proposal(group, urbans, villages, weights, today) for group in solution.groups]
    proposals.sort(key=lambda p: -p.score)
    unplaced = sorted(
        ((villages[pk], str(REASONS[reason])) for pk, reason in solution.unplaced.items()),
        key=lambda item: item[0].code,
    )
    return Advice(proposals, unplaced, settings, rules, solution.feasible)


def _proposal(group: solver.Group, urbans: dict, villages: dict, weights: scoring.Weights,
              today: datetime.date) -> Proposal:
    urban = urbans[group.urban.id]
    members = [villages[v.id] for v in group.villages]
    rows = []
    for village in members:
        found = group.factors[village.pk]
        parts = {name: round(getattr(found, name) * getattr(weights, name), 2)
                 for name in scoring.FACTORS}
        rows.append({"village": village, "factors": found, "parts": parts,
                     "score": round(found.score(weights), 2),
                     "shared": sorted(set(urban.industry_list) & set(village.industry_list))})
    return Proposal(
        urban=urban, villages=members, rows=rows,
        score=round(sum(r["score"] for r in rows), 2),
        code=f"DD-{urban.code}-{members[0].code}"[:32],
        name=_("%(urban)s联合党总支（%(year)s）") % {"urban": urban.name, "year": today.year},
    )
