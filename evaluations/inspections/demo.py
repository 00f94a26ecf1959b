"""A year of monthly inspections for the demo city (DESIGN §1 mechanism 3), for `load_demo_city`.

For the 12 months before the current month (twinning.demo_history): most committees are
inspected most months, some every month; totals mostly fall between 70 and 98, with a few
weak committees well below that and improving; each inspection raises 0 to 3 rectification
items, most closed on time, some late, a few still open and overdue, some awaiting
confirmation. Planned in memory from the seed (per committee and month), written only where
(committee, month) has no inspection yet, so a second run writes nothing.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from branches.demo import DEMO_SEED, DemoError, Tally, city_plan, create_in_bulk, person_name
from evaluations.inspections.models import (
    Inspection,
    InspectionCriterion,
    InspectionScore,
    Rectification,
)
from evaluations.inspections.services import inspection_total
from twinning.committees.demo import committee_plan
from twinning.committees.demo_history import finished_on, history_months, working_day
from twinning.committees.models import JointCommittee
from twinning.shared.periods import month_end

WEAK_SHARE = 0.07
# How often a committee is inspected: every month, most months, or about every other month.
CADENCES = (1.0,) * 9 + (0.8,) * 8 + (0.55,) * 3
DUE_DAYS = (15, 20, 30, 30, 45)
INSPECTORS = 10

# What an inspection finds wanting, by criterion; the default rubric's names.
ITEMS = {
    "组织生活": (
        "三会一课记录不完整，补齐近三个月会议记录并规范填写",
        "主题党日活动形式单一，联合党组织各方党员参与不足，制定季度活动计划",
        "组织生活会查摆问题不具体，重新梳理问题清单并明确整改措施",
    ),
    "互帮互助活动": (
        "城乡党员结对帮扶走访记录缺失，补充结对党员走访台账",
        "互派干部挂职计划未落实，明确挂职人选和时间安排",
        "联谊活动开展次数不足，年内至少再组织两次城乡联谊活动",
    ),
    "帮扶项目进度": (
        "帮扶项目进度滞后于计划，制定倒排工期表并按月报告进度",
        "帮扶资金拨付凭证不全，补齐资金使用明细和票据",
        "合作项目带动就业人数未达预期，细化用工对接措施",
    ),
    "台账资料": (
        "工作台账分类不规范，按统一目录整理归档",
        "月度工作报告与实际开展情况不一致，核实后更正",
        "帮扶项目佐证材料缺少照片和签字记录，限期补充",
    ),
    "群众满意度": (
        "部分村民反映的道路维修问题未答复，逐一回访并答复",
        "村民对帮扶项目知晓率低，在村务公开栏公示项目进展",
        "走访中群众反映的饮水问题未跟进，协调有关部门解决",
    ),
}
STRENGTHS = {
    "组织生活": "组织生活开展规范，联合党组织会议按月召开",
    "互帮互助活动": "城乡党员结对帮扶扎实，互派干部作用发挥明显",
    "帮扶项目进度": "帮扶项目推进有力，资金按计划到位",
    "台账资料": "台账资料齐全规范，佐证材料完整",
    "群众满意度": "走访村民普遍认可联建成效",
}
GENERIC_ITEM = "「{name}」得分偏低，制定提升措施并限期整改"


@dataclass(frozen=True)
class Line:
    """A rubric line as the plan needs it."""

    pk: int
    name: str
    max_score: Decimal


@dataclass(frozen=True)
class ItemSpec:
    description: str
    owner: str
    due_on: datetime.date
    submitted_on: datetime.date | None
    closed_on: datetime.date | None


@dataclass(frozen=True)
class InspectionSpec:
    committee_code: str
    period: datetime.date
    visited_on: datetime.date
    team: str
    findings: str
    scores: tuple[Decimal, ...]  # in the order of the rubric lines
    items: tuple[ItemSpec, ...]


def _half_points(value: float) -> Decimal:
    return (Decimal(str(value)) * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2


def _profile(seed: int, code: str) -> tuple[float, float, float]:
    """A committee's standing (percent), its monthly trend (points) and its cadence."""
    rng = random.Random(f"{seed}:inspections:{code}")
    if rng.random() < WEAK_SHARE:
        return rng.uniform(58, 68), rng.uniform(0.4, 1.0), rng.choice(CADENCES)
    return min(max(rng.gauss(86, 4), 76), 95), rng.uniform(-0.1, 0.2), rng.choice(CADENCES)


def _items(
    rng: random.Random, lines: list[Line], scores: list[Decimal], owners: list[str],
    visited_on: datetime.date, today: datetime.date,
) -> tuple[ItemSpec, ...]:
    percent = sum(scores) * 100 / sum(line.max_score for line in lines)
    count = (0 if percent >= 93 else rng.choice((0, 0, 1)) if percent >= 86
             else rng.choice((1, 1, 2)) if percent >= 78 else rng.choice((2, 3, 3)))
    weakest = sorted(range(len(lines)), key=lambda i: scores[i] / lines[i].max_score)
    items = []
    for index in weakest[:count]:
        name = lines[index].name
        description = rng.choice(ITEMS.get(name, (GENERIC_ITEM.format(name=name),)))
        due_on = visited_on + datetime.timedelta(days=rng.choice(DUE_DAYS))
        closed_on = finished_on(rng, start=visited_on, due=due_on, today=today)
        submitted_on = None
        if closed_on is not None:
            submitted_on = max(visited_on, closed_on - datetime.timedelta(days=rng.randint(0, 3)))
        elif visited_on < today - datetime.timedelta(days=1) and rng.random() < 0.25:
            # Evidence is in, waiting for the inspectors to confirm.
            submitted_on = min(visited_on + datetime.timedelta(days=rng.randint(3, 20)),
                               today - datetime.timedelta(days=1))
        items.append(ItemSpec(description, rng.choice(owners), due_on, submitted_on, closed_on))
    return tuple(items)


def _findings(lines: list[Line], scores: list[Decimal]) -> str:
    rates = [score / line.max_score for line, score in zip(lines, scores, strict=True)]
    best = lines[rates.index(max(rates))].name
    worst = lines[rates.index(min(rates))].name
    strength = STRENGTHS.get(best, f"「{best}」工作开展较好")
    if min(rates) >= Decimal("0.9"):
        return f"{strength}；各项工作整体推进良好。"
    return f"{strength}；「{worst}」方面存在不足，已提出整改要求。"


def inspection_plan(
    seed: int, lines: tuple[Line, ...], months: tuple[datetime.date, ...], today: datetime.date
) -> tuple[InspectionSpec, ...]:
    """The inspections of the demo city in the given months; touches no database."""
    branches = {b.code: b for b in city_plan(seed).branches}
    team_rng = random.Random(f"{seed}:inspectors")
    inspectors = [person_name(team_rng) for _ in range(INSPECTORS)]
    lines = list(lines)
    specs = []
    for committee in committee_plan(seed):
        quality, trend, cadence = _profile(seed, committee.code)
        owners = [branches[code].secretary
                  for code in (committee.urban_code, *committee.village_codes)]
        for index, period in enumerate(months):
            rng = random.Random(f"{seed}:inspection:{committee.code}:{period:%Y-%m}")
            if rng.random() >= cadence or committee.established_on > month_end(period):
                continue
            visited_on = working_day(rng, period)
            standing = quality + trend * index + rng.gauss(0, 2.5)
            scores = [
                min(line.max_score, max(Decimal(0), _half_points(
                    float(line.max_score) * min(max(standing + rng.gauss(0, 5), 30), 100) / 100
                )))
                for line in lines
            ]
            specs.append(InspectionSpec(
                committee_code=committee.code,
                period=period,
                visited_on=visited_on,
                team="、".join(sorted(rng.sample(inspectors, rng.choice((2, 3))))),
                findings=_findings(lines, scores),
                scores=tuple(scores),
                items=_items(rng, lines, scores, owners, visited_on, today),
            ))
    return tuple(specs)


def _rubric() -> tuple[Line, ...]:
    lines = tuple(
        Line(c.pk, c.name, c.max_score) for c in InspectionCriterion.objects.filter(active=True)
    )
    if not lines:
        raise DemoError("没有启用的督查评分项，请先在评分标准页面启用至少一项。")
    return lines


def _committees(specs: tuple[InspectionSpec, ...]) -> dict[str, JointCommittee]:
    codes = {s.committee_code for s in specs}
    found = JointCommittee.objects.in_bulk(codes, field_name="code")
    if codes - found.keys():
        raise DemoError("缺少联合党组织，请先载入演示城市的联合党组织。")
    return found


def _active(committee: JointCommittee, spec: InspectionSpec) -> bool:
    return committee.dissolved_on is None or spec.visited_on <= committee.dissolved_on


def load(seed: int = DEMO_SEED, today: datetime.date | None = None) -> dict[str, Tally]:
    """Write the inspections of the last 12 months that are not there yet, with their scores
    and rectification items."""
    today = today or timezone.localdate()
    lines = _rubric()
    months = tuple(history_months(today))
    specs = inspection_plan(seed, lines, months, today)
    committees = _committees(specs)
    specs = tuple(s for s in specs if _active(committees[s.committee_code], s))
    existing = set(
        Inspection.objects.filter(committee__in=committees.values(), period__in=months)
        .values_list("committee_id", "period")
    )
    new = [s for s in specs if (committees[s.committee_code].pk, s.period) not in existing]

    inspections, scores = [], []
    for spec in new:
        rows = [
            InspectionScore(criterion_id=line.pk, criterion_name=line.name,
                            max_score=line.max_score, order=order, score=score)
            for order, (line, score) in enumerate(zip(lines, spec.scores, strict=True), start=1)
        ]
        total, max_total = inspection_total(rows)
        inspections.append(Inspection(
            committee=committees[spec.committee_code], period=spec.period,
            visited_on=spec.visited_on, team=spec.team, findings=spec.findings,
            total=total, max_total=max_total,
        ))
        scores.append(rows)
    create_in_bulk(Inspection, inspections)
    for inspection, rows in zip(inspections, scores, strict=True):
        for row in rows:
            row.inspection = inspection
    create_in_bulk(InspectionScore, [row for rows in scores for row in rows])
    create_in_bulk(Rectification, [
        _rectification(inspection, item)
        for inspection, spec in zip(inspections, new, strict=True) for item in spec.items
    ])
    planned_items = sum(len(s.items) for s in specs)
    new_items = sum(len(s.items) for s in new)
    return {
        str(Inspection._meta.verbose_name): Tally(len(new), len(specs) - len(new)),
        str(Rectification._meta.verbose_name): Tally(new_items, planned_items - new_items),
    }


def _rectification(inspection: Inspection, item: ItemSpec) -> Rectification:
    closed = item.closed_on is not None
    return Rectification(
        inspection=inspection,
        committee_id=inspection.committee_id,
        description=item.description,
        owner=item.owner,
        due_on=item.due_on,
        status=Rectification.Status.CLOSED if closed else Rectification.Status.OPEN,
        evidence="已按要求完成整改，相关材料已归档。" if item.submitted_on else "",
        submitted_on=item.submitted_on,
        closed_on=item.closed_on,
        closing_note="经督查组核实，整改到位。" if closed else "",
    )
