"""The reference city's 163 joint committees (DESIGN §1), for `load_demo_city`.

Committees are planned in memory from the same seed as the branches (`branches.demo`), then
every missing one is created through `committee_create`, so each obeys the programme's rules
and gets its audit trail. Committees already there (by code) are left untouched.
"""

import datetime
import functools
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from branches.demo import (
    DEMO_SEED,
    TOBACCO_INDUSTRY,
    BranchSpec,
    CityPlan,
    DemoError,
    Tally,
    city_plan,
    date_between,
)
from branches.models import Branch
from twinning.committees.models import JointCommittee
from twinning.committees.services import committee_create

Form = JointCommittee.Form
Formation = JointCommittee.Formation

COMMITTEES_BY_FORM = {
    Form.VILLAGE_RESIDENTS: 54,
    Form.VILLAGE_ENTERPRISE: 58,
    Form.DEPARTMENT_VILLAGE: 51,
}
VILLAGES_JOINED = 367
CODE_PREFIXES = {
    Form.VILLAGE_RESIDENTS: "CJ",
    Form.VILLAGE_ENTERPRISE: "CQ",
    Form.DEPARTMENT_VILLAGE: "BC",
}
ASSIGNED_SHARE = 0.55
# The programme has run for years: the named cases were the first, in 2019.
FIRST_YEAR = (datetime.date(2019, 3, 1), datetime.date(2019, 12, 31))
PROGRAMME_YEARS = (datetime.date(2019, 3, 1), datetime.date(2024, 11, 30))
TOBACCO_COMPANY = "市烟草公司"
ORDINALS = "一二三四五六七八九十"


def share_percent(part: int, whole: int) -> int:
    """`part` as a whole percentage of `whole`, rounded half up as a printed report does."""
    exact = Decimal(part) * 100 / Decimal(whole)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class NamedCase:
    """A case from the design: an urban branch, the villages it names, and how many in all."""

    urban: str
    villages: tuple[str, ...]
    size: int
    formation: str


NAMED_CASES = (
    NamedCase("后黄疃居委会", ("北朱解村", "王家我乐村"), 2, Formation.VOLUNTARY),
    NamedCase("益欣食品有限公司", ("郑家河岔村", "小庄家河岔村"), 2, Formation.VOLUNTARY),
    NamedCase("市农业局", ("都吉台村", "徐家村"), 2, Formation.ASSIGNED),
    NamedCase("杨春居委会", ("高家屯村",), 2, Formation.VOLUNTARY),
    NamedCase(
        "五里堡居委会", ("转头山村", "前姜庄村", "后姜庄村", "管家庄村"), 4, Formation.VOLUNTARY
    ),
    NamedCase("市经管局", ("西见屯村",), 3, Formation.ASSIGNED),
    NamedCase("古城子居委会", ("小高乐埠村",), 2, Formation.VOLUNTARY),
)


@dataclass(frozen=True)
class CommitteeSpec:
    code: str
    name: str
    form: str
    urban_code: str
    village_codes: tuple[str, ...]
    formation: str
    established_on: datetime.date


@dataclass
class _Draft:
    urban: BranchSpec
    village_codes: tuple[str, ...]
    formation: str
    established_on: datetime.date
    name_suffix: str = ""

    @property
    def form(self) -> str:
        return JointCommittee.FORM_BY_URBAN_KIND[self.urban.kind]


class _FreeVillages:
    """Weak villages not yet in a committee, per town, in a seeded order."""

    def __init__(self, city: CityPlan, rng: random.Random) -> None:
        self.by_town: dict[str, list[str]] = {t.code: [] for t in city.towns}
        for village in city.of_kind(Branch.Kind.VILLAGE):
            if village.weak:
                self.by_town[village.town_code].append(village.code)
        for codes in self.by_town.values():
            rng.shuffle(codes)

    def roomiest_town(self) -> str:
        return max(self.by_town, key=lambda code: len(self.by_town[code]))

    def take(self, town_code: str, size: int, fixed: tuple[str, ...] = ()) -> tuple[str, ...]:
        pool = self.by_town[town_code]
        for code in fixed:
            pool.remove(code)
        if size - len(fixed) > len(pool):
            raise DemoError(f"镇街 {town_code} 的薄弱村不够组建联合党组织。")
        return (*fixed, *(pool.pop() for _ in range(size - len(fixed))))


def _sizes(rng: random.Random, count: int, villages: int) -> list[int]:
    """`count` committee sizes of 2 to 4 villages that add up to `villages`."""
    low, high = JointCommittee.MIN_VILLAGES, JointCommittee.MAX_VILLAGES
    if not low * count <= villages <= high * count:
        raise DemoError(f"{count} 个联合党组织无法容纳 {villages} 个村。")
    sizes = [low] * count
    for _ in range(villages - low * count):
        index = rng.choice([i for i, size in enumerate(sizes) if size < high])
        sizes[index] += 1
    return sizes


def _named_drafts(city: CityPlan, free: _FreeVillages, rng: random.Random) -> list[_Draft]:
    drafts = []
    for case in NAMED_CASES:
        villages = tuple(city.branch(name) for name in case.villages)
        codes = free.take(villages[0].town_code, case.size, tuple(v.code for v in villages))
        drafts.append(_Draft(city.branch(case.urban), codes, case.formation,
                             date_between(rng, *FIRST_YEAR)))
    # The tobacco company's villages: one committee per town where tobacco is grown.
    tobacco: dict[str, list[str]] = {}
    for village in city.of_kind(Branch.Kind.VILLAGE):
        if TOBACCO_INDUSTRY in village.industries.split(";"):
            tobacco.setdefault(village.town_code, []).append(village.code)
    company = city.branch(TOBACCO_COMPANY)
    established = date_between(rng, *FIRST_YEAR)
    for ordinal, (town_code, codes) in zip(ORDINALS, tobacco.items(), strict=False):
        drafts.append(_Draft(company, free.take(town_code, len(codes), tuple(codes)),
                             Formation.ASSIGNED, established, f"（{ordinal}）"))
    return drafts


def _generic_drafts(
    city: CityPlan, free: _FreeVillages, rng: random.Random, named: list[_Draft]
) -> list[_Draft]:
    """The other committees, led by urban branches picked at random; some urban ones stay idle."""
    taken = {d.urban.code for d in named}
    urban: list[BranchSpec] = []
    for kind, form in JointCommittee.FORM_BY_URBAN_KIND.items():
        needed = COMMITTEES_BY_FORM[form] - sum(d.form == form for d in named)
        candidates = [b for b in city.of_kind(kind) if b.code not in taken]
        if needed > len(candidates):
            raise DemoError(f"{kind.label}党组织不够组建 {COMMITTEES_BY_FORM[form]} 个联合党组织。")
        urban += sorted(rng.sample(candidates, needed), key=lambda b: b.code)
    villages = VILLAGES_JOINED - sum(len(d.village_codes) for d in named)
    sizes = dict(zip((b.code for b in urban), _sizes(rng, len(urban), villages), strict=True))

    # Branches with a town pair with villages there (territorial management); city-level ones
    # go where most weak villages are still free, which keeps the towns balanced.
    villages_by_urban: dict[str, tuple[str, ...]] = {}
    for branch in sorted(urban, key=lambda b: b.town_code is None):
        size = sizes[branch.code]
        town = branch.town_code
        if town is None or len(free.by_town[town]) < size:
            town = free.roomiest_town()
        villages_by_urban[branch.code] = free.take(town, size)
    return [
        _Draft(
            branch,
            villages_by_urban[branch.code],
            Formation.ASSIGNED if rng.random() < ASSIGNED_SHARE else Formation.VOLUNTARY,
            date_between(rng, *PROGRAMME_YEARS),
        )
        for branch in urban
    ]


@functools.lru_cache(maxsize=4)
def committee_plan(seed: int = DEMO_SEED) -> tuple[CommitteeSpec, ...]:
    """The city's joint committees, decided in memory from one seed; touches no database."""
    city = city_plan(seed)
    rng = random.Random(f"{seed}:twinning")
    free = _FreeVillages(city, rng)
    named = _named_drafts(city, free, rng)
    drafts = named + _generic_drafts(city, free, rng, named)
    specs = []
    for form, prefix in CODE_PREFIXES.items():
        of_form = [d for d in drafts if d.form == form]
        specs += [
            CommitteeSpec(
                code=f"{prefix}{number:03d}",
                name=f"{d.urban.name}联合党总支{d.name_suffix}",
                form=form,
                urban_code=d.urban.code,
                village_codes=d.village_codes,
                formation=d.formation,
                established_on=d.established_on,
            )
            for number, d in enumerate(of_form, start=1)
        ]
    return tuple(specs)


def _branches(specs: list[CommitteeSpec]) -> dict[str, Branch]:
    codes = {code for s in specs for code in (s.urban_code, *s.village_codes)}
    found = Branch.objects.select_related("town").in_bulk(codes, field_name="code")
    missing = sorted(codes - found.keys())
    if missing:
        raise DemoError(
            f"缺少 {len(missing)} 个党组织（如 {missing[0]}），请先载入演示城市的党组织。"
        )
    return found


def load(seed: int = DEMO_SEED) -> dict[str, Tally]:
    """Create, through `committee_create`, the reference city's committees not there yet."""
    plan = committee_plan(seed)
    existing = set(
        JointCommittee.objects.filter(code__in=[s.code for s in plan])
        .values_list("code", flat=True)
    )
    missing = [s for s in plan if s.code not in existing]
    branches = _branches(missing) if missing else {}
    for spec in missing:
        committee_create(
            code=spec.code,
            name=spec.name,
            urban=branches[spec.urban_code],
            villages=[branches[code] for code in spec.village_codes],
            formation=spec.formation,
            established_on=spec.established_on,
        )
    label = JointCommittee._meta.verbose_name
    return {
        f"{label}（{form.label}）": Tally(
            sum(s.form == form for s in missing),
            sum(s.form == form and s.code in existing for s in plan),
        )
        for form in COMMITTEES_BY_FORM
    }
