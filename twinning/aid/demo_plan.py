"""The plan of the reference city's aid and mutual-help history (DESIGN §1), in memory.

The citywide totals, as `twinning.aid.outcomes` computes them since the start, equal the reference
figures below; the named cases carry their own figures. History runs from each committee's
establishment to the end of the last complete month, so every one of the last twelve months
has investment, jobs, trainings, activities, secondments, pairings and solved issues. The plan
is decided from the seed and that month; `twinning.aid.demo` writes it.
"""

import datetime
import functools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Model
from django.utils import timezone

from branches.demo import DEMO_SEED, BranchSpec, DemoError, city_plan
from branches.models import Branch
from twinning.aid.models import (
    AidProject,
    GovernanceRecord,
    HelpActivity,
    HotIssue,
    MemberPairing,
    OutputKind,
    Secondment,
)
from twinning.committees.demo import CommitteeSpec, committee_plan
from twinning.committees.models import JointCommittee
from twinning.shared.periods import (
    add_months,
    month_end,
    month_start,
    months_between,
    previous_month,
)

# The reference figures (DESIGN §1) the demo city reproduces.
PARTNER_INVESTMENT = Decimal("512000000")  # 5.12亿元 from residents' committees and enterprises
RESIDENTS_FUNDERS = 21
ENTERPRISE_FUNDERS = 28
COOPERATION_PROJECTS = 77
COOPERATION_JOBS = 9126
DEPARTMENT_PROJECTS = 57
INFORMATION_PIECES = 786
INFRASTRUCTURE_INVESTMENT = Decimal("9860000")
TEAMS_ADJUSTED = 138
RULES = 316
PROCEDURES = 224

Category, Status = AidProject.Category, AidProject.Status
Form = JointCommittee.Form
Activity, Governance = HelpActivity.Kind, GovernanceRecord.Kind
PARTNER_KINDS = (Branch.Kind.RESIDENTS, Branch.Kind.ENTERPRISE)
RECENT_MONTHS = 12  # the months that must all have figures
UNIT = 100  # demo money is in whole hundreds of yuan


@dataclass(frozen=True)
class ReportSpec:
    day: datetime.date
    investment: Decimal
    jobs: int
    note: str


@dataclass(frozen=True)
class OutputSpec:
    kind: str
    quantity: Decimal
    day: datetime.date
    note: str = ""


@dataclass(frozen=True)
class ProjectSpec:
    committee: str
    title: str
    category: str
    funder: str
    status: str
    started_on: datetime.date
    finished_on: datetime.date | None
    planned: Decimal
    households: int
    extra_income: Decimal
    area_mu: Decimal | None
    description: str
    reports: tuple[ReportSpec, ...] = ()
    outputs: tuple[OutputSpec, ...] = ()


@dataclass(frozen=True)
class SecondmentSpec:
    committee: str
    member: tuple[str, str]  # (branch code, name)
    to_branch: str
    position: str
    started_on: datetime.date
    ended_on: datetime.date | None


@dataclass(frozen=True)
class PairingSpec:
    committee: str
    urban: tuple[str, str]
    village: tuple[str, str]
    since: datetime.date
    until: datetime.date | None
    help: str


@dataclass(frozen=True)
class ActivitySpec:
    committee: str
    kind: str
    day: datetime.date
    count: int
    title: str


@dataclass(frozen=True)
class HotIssueSpec:
    committee: str
    year: int
    title: str
    status: str
    solved_on: datetime.date | None


@dataclass(frozen=True)
class GovernanceSpec:
    committee: str
    village: str
    kind: str
    count: int
    day: datetime.date
    note: str


@dataclass
class AidPlan:
    projects: list[ProjectSpec] = field(default_factory=list)
    secondments: list[SecondmentSpec] = field(default_factory=list)
    pairings: list[PairingSpec] = field(default_factory=list)
    activities: list[ActivitySpec] = field(default_factory=list)
    hot_issues: list[HotIssueSpec] = field(default_factory=list)
    governance: list[GovernanceSpec] = field(default_factory=list)

    def kinds(self) -> dict[type[Model], list]:
        return {AidProject: self.projects, Secondment: self.secondments,
                MemberPairing: self.pairings, HelpActivity: self.activities,
                HotIssue: self.hot_issues, GovernanceRecord: self.governance}


# Named cases (DESIGN §1): urban branch → (category, title, investment, jobs, households,
# area in mu, description); the tobacco company's figures are spread over its three committees.
NAMED_PROJECTS = {
    "后黄疃居委会": (Category.INDUSTRY, "组建村级建筑施工队", 3_600_000, 260, 185, None,
                  "帮助北朱解村、王家我乐村组建建筑施工队，承接城区建筑劳务。"),
    "五里堡居委会": (Category.INDUSTRY, "畜牧养殖基地", 12_800_000, 180, 456, None,
                  "在转头山、前姜庄、后姜庄、管家庄四村建设养殖基地，带动450余户养殖。"),
    "益欣食品有限公司": (Category.INDUSTRY, "富余劳动力就业安置", 26_000_000, 420, 390, None,
                     "扩建食品加工车间，安置郑家河岔、小庄家河岔两村富余劳动力就业。"),
    "市农业局": (Category.INDUSTRY, "大葱、生姜、韭菜种植基地", 2_400_000, 60, 310, 5000,
              "在都吉台村、徐家村发展大葱、生姜、韭菜种植5000亩。"),
    "市经管局": (Category.INDUSTRY, "蛋鸡养殖专业合作社", 1_350_000, 45, 230, None,
              "领办西见屯村蛋鸡养殖专业合作社，带动230户养殖。"),
    "古城子居委会": (Category.INFRASTRUCTURE, "小高乐埠村基础设施建设", 870_000, 0, 236, None,
                  "新建118平方米村级办公场所，硬化道路两条，安装路灯40盏，自来水入户。"),
}
TOBACCO = ("市烟草公司", "烟叶标准化种植基地", (6_800_000, 6_000_000, 5_200_000), (35, 30, 25),
           (76, 71, 55), (15_600, 14_200, 11_200),
           "组织烟叶标准化种植，全市11个烟叶村202个烟农、41000亩。")
GUCHENGZI_OUTPUTS = (
    (OutputKind.OFFICE_AREA, "118", "村级办公场所"), (OutputKind.ROAD_KM, "1.2", "村东大街"),
    (OutputKind.ROAD_KM, "0.85", "村南环路"), (OutputKind.STREET_LAMPS, "40", ""),
    (OutputKind.TAP_WATER, "236", ""),
)
GAOJIATUN_RULES = ("杨春居委会", "高家屯村", 22, "帮助建立党务、村务、财务等各项工作制度20余项")

INDUSTRY_THEMES = ("蔬菜大棚基地", "果品种植园", "生态养殖场", "农产品加工厂", "冷链仓储中心",
                   "苗木花卉基地", "乡村旅游项目", "电商服务站", "食用菌种植基地", "中药材种植基地")
INFRA_THEMES = {
    "村内道路硬化": ((OutputKind.ROAD_KM, 8, 35, Decimal("0.1")),),
    "路灯安装": ((OutputKind.STREET_LAMPS, 20, 120, Decimal(1)),),
    "自来水入户改造": ((OutputKind.TAP_WATER, 80, 400, Decimal(1)),),
    "村级活动场所建设": ((OutputKind.OFFICE_AREA, 80, 300, Decimal(1)),),
    "有线电视入户": ((OutputKind.CABLE_TV, 100, 450, Decimal(1)),),
    "村庄道路和照明提升": ((OutputKind.ROAD_KM, 5, 20, Decimal("0.1")),
                      (OutputKind.STREET_LAMPS, 15, 60, Decimal(1))),
}
OTHER_THEMES = {Category.TRAINING: ("村干部能力提升培训", "农村电商培训", "种养殖实用技术培训"),
                Category.SERVICE: ("便民服务站建设", "村卫生室设备捐赠", "农家书屋建设")}
ACTIVITY_TITLES = {
    Activity.TRAINING: ("党员冬训", "种植技术培训", "农村电商培训", "村干部能力提升培训",
                        "养殖技术培训", "政策法规培训"),
    Activity.STUDY_VISIT: ("赴寿光考察蔬菜产业", "赴先进村考察学习", "到企业参观学习"),
    Activity.FELLOWSHIP: ("城乡党员联谊会", "七一联谊活动", "城乡党员共过组织生活"),
    Activity.CULTURE: ("文艺演出进村", "送电影下乡", "农家书屋捐书"),
    Activity.VISIT: ("春节走访慰问困难党员", "走访慰问老党员", "重阳节慰问老人"),
    Activity.INFORMATION: ("提供农产品市场行情信息", "提供种养殖技术信息", "发布用工需求信息"),
}
YEARLY_ACTIVITIES = ((Activity.TRAINING, 1.0), (Activity.TRAINING, 0.5),
                     (Activity.FELLOWSHIP, 0.6), (Activity.STUDY_VISIT, 0.4),
                     (Activity.CULTURE, 0.3), (Activity.VISIT, 0.5))
HOT_ISSUES = ("村内道路硬化", "饮水安全", "路灯安装", "垃圾清运", "农产品销售难",
              "留守老人照料", "村卫生室改造", "排水沟渠疏通", "文化广场建设", "农田灌溉",
              "危房改造", "学生上学交通")
PAIRING_HELP = ("产业发展指导", "种养技术帮扶", "生活困难帮扶", "子女就学帮扶", "就业信息帮扶",
                "政策宣讲", "电商销售帮扶")


def split(total: int, parts: int, rng: random.Random, minimum: int = 0) -> list[int]:
    """`total` cut into `parts` random whole parts of at least `minimum` that add up exactly."""
    if parts <= 0 or total < minimum * parts:
        raise DemoError(f"无法把 {total} 分成 {parts} 份（每份至少 {minimum}）。")
    weights = [rng.randint(1, 10) for _ in range(parts)]
    rest = total - minimum * parts
    shares = [rest * w // sum(weights) for w in weights]
    for i in range(rest - sum(shares)):
        shares[i % parts] += 1
    return [minimum + share for share in shares]


def _day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    if last < first:
        raise DemoError(f"{first} 至 {last} 之间没有日期。")
    return datetime.date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


class _Planner:
    """Builds the plan; every date lies between a committee's establishment and `through`."""

    def __init__(self, seed: int, through: datetime.date) -> None:
        self.rng = random.Random(f"{seed}:aid")
        self.through = through
        self.city = city_plan(seed)
        self.committees = list(committee_plan(seed))
        self.branch: dict[str, BranchSpec] = {b.code: b for b in self.city.branches}
        self.plan = AidPlan()
        self.titles: set[tuple[str, str]] = set()
        self.recent = months_between(add_months(month_start(through), 1 - RECENT_MONTHS), through)

    def led_by(self, name: str) -> list[CommitteeSpec]:
        code = self.city.branch(name).code
        return [c for c in self.committees if c.urban_code == code]

    def title(self, committee: CommitteeSpec, title: str) -> str:
        """A project title not yet used in the committee (a second one becomes 二期 …)."""
        for suffix in ("", "（二期）", "（三期）", "（四期）"):
            if (committee.code, title + suffix) not in self.titles:
                self.titles.add((committee.code, title + suffix))
                return title + suffix
        raise DemoError(f"{committee.code} 的项目名称重复：{title}")

    def village_name(self, committee: CommitteeSpec) -> str:
        return self.branch[self.rng.choice(committee.village_codes)].name

    # Projects ------------------------------------------------------------------------

    def project(self, committee: CommitteeSpec, funder: str, category: str, title: str,
                amount: int, jobs: int, households: int, *, area: int | None = None,
                description: str = "", recent: bool = False, early: bool = False,
                outputs: Sequence = ()) -> None:
        """A started project whose reports add up to `amount` yuan and `jobs` jobs."""
        rng, through = self.rng, self.through
        first = committee.established_on + datetime.timedelta(days=30)
        if recent:
            start = _day(rng, max(first, add_months(month_start(through), -18)),
                         add_months(month_start(through), -13))
            finish = None
        else:
            last = (first + datetime.timedelta(days=180) if early
                    else through - datetime.timedelta(days=60))
            start = _day(rng, first, last)
            finish = start + datetime.timedelta(days=30 * rng.randint(4, 30))
            finish = finish if finish <= through else None
        end = finish or through
        months = months_between(start, end)
        if not recent and len(months) > 2:
            middle = rng.sample(months[1:-1], min(len(months) - 2, rng.randint(0, 4)))
            months = sorted({months[0], months[-1], *middle})
        days = [_day(rng, max(start, m), min(end, month_end(m))) for m in months]
        days[0], days[-1] = start, (finish or days[-1])
        days = sorted(set(days))
        money = split(amount // UNIT, len(days), rng, minimum=1)
        people = split(jobs, len(days), rng, minimum=1 if jobs >= len(days) else 0)
        reports = tuple(
            ReportSpec(day, Decimal(m * UNIT), j, "项目开工" if i == 0 else "按计划推进")
            for i, (day, m, j) in enumerate(zip(days, money, people, strict=True))
        )
        built = tuple(OutputSpec(kind, Decimal(q), rng.choice(days), note)
                      for kind, q, note in outputs)
        planned = amount if finish else amount + UNIT * 100 * rng.randint(0, 50)
        income = households * rng.randint(20, 80) * UNIT if category == Category.INDUSTRY else 0
        self.plan.projects.append(ProjectSpec(
            committee.code, self.title(committee, title), category, funder,
            Status.DONE if finish else Status.ACTIVE, start, finish, Decimal(planned),
            households, Decimal(income), Decimal(area) if area else None, description,
            reports, built,
        ))

    def named_projects(self) -> None:
        for urban, (category, title, amount, jobs, households, area, text) in (
            NAMED_PROJECTS.items()
        ):
            committee = self.led_by(urban)[0]
            outputs = GUCHENGZI_OUTPUTS if urban == "古城子居委会" else ()
            self.project(committee, committee.urban_code, category, title, amount, jobs,
                         households, area=area, description=text, early=True, outputs=outputs)
        urban, title, amounts, jobs, households, areas, text = TOBACCO
        for committee, *figures in zip(self.led_by(urban), amounts, jobs, households, areas,
                                       strict=True):
            self.project(committee, committee.urban_code, Category.INDUSTRY, title, *figures[:3],
                         area=figures[3], description=text, early=True)

    def is_partner(self, project: ProjectSpec) -> bool:
        """Funded by a residents' committee or an enterprise (强居带动 / 企业拉动)."""
        return self.branch[project.funder].kind in PARTNER_KINDS

    def planned_so_far(self, category: str | None, partner: bool) -> list[ProjectSpec]:
        return [p for p in self.plan.projects if self.is_partner(p) == partner
                and category in (None, p.category)]

    def generic_projects(self) -> None:
        rng = self.rng
        named = {self.city.branch(name).code
                 for name in (*NAMED_PROJECTS, TOBACCO[0], GAOJIATUN_RULES[0])}

        def pick(form: str, count: int) -> list[CommitteeSpec]:
            pool = [c for c in self.committees if c.form == form and c.urban_code not in named]
            return sorted(rng.sample(pool, count), key=lambda c: c.code)

        def funders(kind: str) -> int:
            return len({p.funder for p in self.plan.projects
                        if self.branch[p.funder].kind == kind})

        residents = pick(Form.VILLAGE_RESIDENTS, RESIDENTS_FUNDERS - funders("residents"))
        enterprises = pick(Form.VILLAGE_ENTERPRISE, ENTERPRISE_FUNDERS - funders("enterprise"))
        departments = [c for c in self.committees
                       if c.form == Form.DEPARTMENT_VILLAGE and c.urban_code not in named]
        partners = residents + enterprises

        # Infrastructure: 30 projects share what the named case leaves of the total.
        infra = rng.sample(residents, 12) + rng.sample(enterprises, 8) + rng.sample(departments, 10)
        done = sum(r.investment for p in self.plan.projects for r in p.reports
                   if p.category == Category.INFRASTRUCTURE)
        for committee, units in zip(infra, split(int(INFRASTRUCTURE_INVESTMENT - done) // UNIT,
                                                 len(infra), rng, minimum=300), strict=True):
            theme = rng.choice(list(INFRA_THEMES))
            outputs = [(kind, rng.randint(lo, hi) * step, "")
                       for kind, lo, hi, step in INFRA_THEMES[theme]]
            self.project(committee, committee.urban_code, Category.INFRASTRUCTURE,
                         self.village_name(committee) + theme, units * UNIT, 0,
                         rng.randint(80, 400), outputs=outputs)

        # Training and public-service projects: 8 by departments, 8 by partners.
        for committee in rng.sample(departments, 8) + rng.sample(partners, 8):
            category = rng.choice(list(OTHER_THEMES))
            self.project(committee, committee.urban_code, category,
                         rng.choice(OTHER_THEMES[category]), rng.randint(200, 1500) * UNIT, 0,
                         rng.randint(0, 150) if category == Category.SERVICE else 0)

        # Cooperation projects: one per partner, the rest to partners again; three of those
        # go to a residents' committee's villages with an enterprise paying. They take what
        # is left of the partners' investment and of the cooperation jobs.
        coop = self.planned_so_far(Category.INDUSTRY, partner=True)
        count = COOPERATION_PROJECTS - len(coop)
        homes = partners + [rng.choice(partners) for _ in range(count - len(partners))]
        payers = [c.urban_code for c in homes]
        for i in range(len(partners), len(partners) + 3):
            homes[i], payers[i] = rng.choice(residents), rng.choice(enterprises).urban_code
        spent = sum(r.investment for p in self.planned_so_far(None, partner=True)
                    for r in p.reports)
        money = split(int(PARTNER_INVESTMENT - spent) // UNIT, count, rng, minimum=5000)
        jobs = split(COOPERATION_JOBS - sum(r.jobs for p in coop for r in p.reports), count, rng,
                     minimum=20)
        for i, (committee, funder) in enumerate(zip(homes, payers, strict=True)):
            self.project(committee, funder, Category.INDUSTRY,
                         self.village_name(committee) + rng.choice(INDUSTRY_THEMES),
                         money[i] * UNIT, jobs[i], rng.randint(20, 220), recent=i % 3 == 0)

        # Department projects: one per department, the rest to departments again.
        count = DEPARTMENT_PROJECTS - len(self.planned_so_far(Category.INDUSTRY, partner=False))
        extra = rng.sample(departments, count - len(departments))
        for i, committee in enumerate(sorted(departments + extra, key=lambda c: c.code)):
            self.project(committee, committee.urban_code, Category.INDUSTRY,
                         self.village_name(committee) + rng.choice(INDUSTRY_THEMES),
                         rng.randint(15, 150) * 10_000, rng.randint(8, 60), rng.randint(20, 200),
                         recent=i % 4 == 0)
        self.planned_projects(partners, departments)

    def planned_projects(self, partners: list[CommitteeSpec],
                         departments: list[CommitteeSpec]) -> None:
        """Projects not started yet: they count nowhere until they start."""
        rng = self.rng
        for committee, category in (
            *((c, Category.INDUSTRY) for c in rng.sample(partners, 3)),
            *((c, Category.INDUSTRY) for c in rng.sample(departments, 3)),
            *((c, Category.INFRASTRUCTURE) for c in rng.sample(partners, 2)),
        ):
            theme = rng.choice(INDUSTRY_THEMES if category == Category.INDUSTRY
                               else list(INFRA_THEMES))
            start = self.through + datetime.timedelta(days=rng.randint(30, 120))
            self.plan.projects.append(ProjectSpec(
                committee.code, self.title(committee, self.village_name(committee) + theme),
                category, committee.urban_code, Status.PLANNED, start, None,
                Decimal(rng.randint(20, 300) * 10_000), rng.randint(20, 150), Decimal(0), None,
                "已完成前期论证，计划开工。",
            ))

    # Mutual help ---------------------------------------------------------------------

    def window(self, committee: CommitteeSpec) -> tuple[datetime.date, datetime.date]:
        return committee.established_on, self.through

    def member(self, code: str, officers: bool = False) -> tuple[str, str]:
        roles = ("deputy", "committee") if officers else ("committee", "member")
        pool = [m.name for m in self.branch[code].members if m.role in roles]
        return code, self.rng.choice(pool)

    def secondment(self, committee: CommitteeSpec, start: datetime.date,
                   end: datetime.date | None, inward: bool) -> None:
        village = self.rng.choice(committee.village_codes)
        urban, village_name = self.branch[committee.urban_code], self.branch[village].name
        if inward:
            member, to = self.member(village, officers=True), committee.urban_code
            position = f"到{urban.name}挂职锻炼"
        else:
            member, to = self.member(committee.urban_code), village
            position = f"挂任{village_name}党支部第一书记"
        self.plan.secondments.append(SecondmentSpec(committee.code, member, to, position,
                                                    start, end))

    def mutual_help(self) -> None:
        rng, through = self.rng, self.through
        for committee in self.committees:
            first, last = self.window(committee)
            for inward in (False, True)[: rng.randint(1, 2)]:
                start = _day(rng, first, last - datetime.timedelta(days=30))
                end = add_months(start, rng.randint(6, 24))
                self.secondment(committee, start, end if end <= through or rng.random() < 0.5
                                else None, inward)
            for _ in range(rng.randint(2, 4)):
                since = _day(rng, first, last - datetime.timedelta(days=30))
                until = add_months(since, rng.randint(12, 36)) if rng.random() < 0.2 else None
                self.plan.pairings.append(PairingSpec(
                    committee.code, self.member(committee.urban_code),
                    self.member(rng.choice(committee.village_codes)), since,
                    until if until and until <= through else None, rng.choice(PAIRING_HELP)))
            self.yearly(committee)
        self.information()
        self.cover_recent_months()

    def years(self, committee: CommitteeSpec) -> Iterator[tuple[int, datetime.date,
                                                              datetime.date]]:
        for year in range(committee.established_on.year, self.through.year + 1):
            first = max(committee.established_on, datetime.date(year, 1, 1))
            yield year, first, min(datetime.date(year, 12, 31), self.through)

    def activity(self, committee: CommitteeSpec, kind: str, day: datetime.date,
                 count: int | None = None) -> None:
        self.plan.activities.append(ActivitySpec(
            committee.code, kind, day, count or self.rng.randint(15, 80),
            self.rng.choice(ACTIVITY_TITLES[kind])))

    def hot_issue(self, committee: CommitteeSpec, year: int, solved_on: datetime.date | None,
                  status: str, taken: set[str]) -> None:
        title = self.rng.choice([t for t in HOT_ISSUES if t not in taken])
        taken.add(title)
        self.plan.hot_issues.append(HotIssueSpec(committee.code, year, title, status, solved_on))

    def yearly(self, committee: CommitteeSpec) -> None:
        """Activities and hot issues of each year the committee has run."""
        rng, through = self.rng, self.through
        for year, first, last in self.years(committee):
            for kind, chance in YEARLY_ACTIVITIES:
                if rng.random() < chance:
                    self.activity(committee, kind, _day(rng, first, last))
            taken: set[str] = set()
            for _ in range(rng.randint(1, 2)):
                if year < through.year or rng.random() < 0.5:
                    solved = _day(rng, first, min(last + datetime.timedelta(days=60), through))
                    self.hot_issue(committee, year, solved, HotIssue.Status.SOLVED, taken)
                else:
                    status = rng.choice((HotIssue.Status.OPEN, HotIssue.Status.IN_PROGRESS))
                    self.hot_issue(committee, year, None, status, taken)

    def information(self) -> None:
        """Departments' market and technical information: the reference's 780+ pieces."""
        rng = self.rng
        committees = [c for c in self.committees if c.form == Form.DEPARTMENT_VILLAGE]
        givers = [c for c in committees for _ in range(rng.randint(1, 3))]
        for committee, pieces in zip(givers, split(INFORMATION_PIECES, len(givers), rng, 2),
                                     strict=True):
            self.activity(committee, Activity.INFORMATION, _day(rng, *self.window(committee)),
                          pieces)

    def cover_recent_months(self) -> None:
        """Each of the last twelve months gets a training, a fellowship activity, a solved
        issue and a running secondment, added to a committee at random where none is yet."""
        rng, plan = self.rng, self.plan

        def months(days: Iterator[datetime.date | None]) -> set[datetime.date]:
            return {month_start(day) for day in days if day}

        trainings = months(a.day for a in plan.activities if a.kind == Activity.TRAINING)
        fellowship = months(a.day for a in plan.activities if a.kind == Activity.FELLOWSHIP)
        solved = months(h.solved_on for h in plan.hot_issues)
        for month in self.recent:
            end = min(month_end(month), self.through)
            committee = rng.choice([c for c in self.committees if c.established_on < month])
            if month not in trainings:
                self.activity(committee, Activity.TRAINING, _day(rng, month, end))
            if month not in fellowship:
                self.activity(committee, Activity.FELLOWSHIP, _day(rng, month, end))
            if month not in solved:
                taken = {h.title for h in plan.hot_issues
                         if h.committee == committee.code and h.year == month.year}
                self.hot_issue(committee, month.year, _day(rng, month, end),
                               HotIssue.Status.SOLVED, taken)
            if not any(s.started_on <= end and (s.ended_on is None or s.ended_on >= month)
                       for s in plan.secondments):
                self.secondment(committee, month, None, inward=False)

    def governance(self) -> None:
        rng = self.rng
        joined = sorted((c.code, v) for c in self.committees for v in c.village_codes)
        by_code = {c.code: c for c in self.committees}
        for code, village in rng.sample(joined, TEAMS_ADJUSTED):
            first = by_code[code].established_on
            day = _day(rng, first, min(first + datetime.timedelta(days=240), self.through))
            self.plan.governance.append(GovernanceSpec(code, village, Governance.TEAM_ADJUSTED,
                                                       1, day, "调整充实村党支部班子"))
        urban, village_name, count, note = GAOJIATUN_RULES
        committee = self.led_by(urban)[0]
        village = next(v for v in committee.village_codes if self.branch[v].name == village_name)
        first = committee.established_on
        self.plan.governance.append(GovernanceSpec(
            committee.code, village, Governance.RULES, count,
            _day(rng, first, first + datetime.timedelta(days=300)), note))
        for kind, total, records, text in (
            (Governance.RULES, RULES - count, 70, "修订完善村级规章制度"),
            (Governance.PROCEDURES, PROCEDURES, 55, "规范村务工作流程"),
        ):
            for (code, village), n in zip(rng.sample(joined, records),
                                          split(total, records, rng, minimum=1), strict=True):
                day = _day(rng, *self.window(by_code[code]))
                self.plan.governance.append(GovernanceSpec(code, village, kind, n, day, text))


@functools.lru_cache(maxsize=4)
def aid_plan(seed: int = DEMO_SEED, through: datetime.date | None = None) -> AidPlan:
    """The city's aid and mutual-help history up to `through` (default: the end of the last
    complete month), decided in memory; touches no database."""
    through = through or month_end(previous_month(timezone.localdate()))
    planner = _Planner(seed, through)
    planner.named_projects()
    planner.generic_projects()
    planner.mutual_help()
    planner.governance()
    return planner.plan
