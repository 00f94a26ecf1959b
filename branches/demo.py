"""The reference city's towns, branches and members (DESIGN §1), for `load_demo_city`.

The city is planned in memory from one seed, then only the rows whose natural keys are missing
are written: towns and branches by code, members by (branch, name). Nothing is ever updated, so
a second run writes nothing. Villages named in the design are placed under their real names in
their towns; everything else is generated from syllable lists.
"""

import datetime
import functools
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Model
from simple_history.utils import bulk_create_with_history

from branches.models import Branch, Member, Town

DEMO_SEED = 20190301
CITY_NAME = "诸城市"
CHANGE_REASON = "载入演示城市"
# The programme joins weak villages; a few more stay unpaired for the pairing advisor.
WEAK_SHARE = 0.47
TOBACCO_INDUSTRY = "烟叶种植"
BATCH_SIZE = 500


class Tally(NamedTuple):
    """What one demo step did for one kind of row."""

    created: int
    existing: int


class DemoError(Exception):
    """The demo city cannot be loaded as planned (e.g. a step ran before the one it needs)."""


@dataclass(frozen=True)
class TownSpec:
    code: str
    name: str
    kind: str
    villages: int  # village branches in the town
    residents: int  # residents' committees in the town
    named_villages: tuple[str, ...] = ()
    named_residents: tuple[str, ...] = ()
    tobacco_villages: int = 0


@dataclass(frozen=True)
class MemberSpec:
    name: str
    role: str
    joined_on: datetime.date
    phone: str


@dataclass(frozen=True)
class BranchSpec:
    code: str
    name: str
    kind: str
    town_code: str | None
    industries: str
    weak: bool
    members: tuple[MemberSpec, ...]

    @property
    def secretary(self) -> str:
        return self.members[0].name


_SUB, _TOWN = Town.Kind.SUBDISTRICT, Town.Kind.TOWN

# 941 villages and 64 residents' committees; the named cases sit in the towns the design gives
# (or, where it gives none, in a town near the city centre).
TOWNS: tuple[TownSpec, ...] = (
    TownSpec(
        "370782001", "密州街道", _SUB, 95, 10,
        named_villages=("北朱解村", "王家我乐村", "转头山村", "前姜庄村", "后姜庄村", "管家庄村"),
        named_residents=("后黄疃居委会", "五里堡居委会"),
    ),
    TownSpec(
        "370782002", "龙都街道", _SUB, 88, 8,
        named_villages=("高家屯村",), named_residents=("杨春居委会",),
    ),
    TownSpec(
        "370782003", "舜王街道", _SUB, 80, 7,
        named_villages=("小高乐埠村",), named_residents=("古城子居委会",),
    ),
    TownSpec("370782101", "昌城镇", _TOWN, 62, 4, named_villages=("郑家河岔村", "小庄家河岔村")),
    TownSpec("370782102", "石桥子镇", _TOWN, 58, 3, named_villages=("都吉台村", "徐家村")),
    TownSpec("370782103", "相州镇", _TOWN, 60, 3),
    TownSpec("370782104", "贾悦镇", _TOWN, 66, 4, named_villages=("西见屯村",)),
    TownSpec("370782105", "枳沟镇", _TOWN, 62, 3),
    TownSpec("370782106", "百尺河镇", _TOWN, 60, 3),
    TownSpec("370782107", "辛兴镇", _TOWN, 52, 3),
    TownSpec("370782108", "林家村镇", _TOWN, 50, 3, tobacco_villages=4),
    TownSpec("370782109", "皇华镇", _TOWN, 55, 3, tobacco_villages=4),
    TownSpec("370782110", "桃林镇", _TOWN, 45, 3, tobacco_villages=3),
    TownSpec("370782111", "郝戈庄镇", _TOWN, 48, 3),
    TownSpec("370782112", "马庄镇", _TOWN, 60, 4),
)
VILLAGE_BRANCHES = sum(t.villages for t in TOWNS)

# Industries of the named villages, after what the design says each case achieved.
NAMED_VILLAGE_INDUSTRIES = {
    "北朱解村": "建筑劳务;蔬菜种植",
    "王家我乐村": "建筑劳务;粮食种植",
    "郑家河岔村": "劳务输出;粮食种植",
    "小庄家河岔村": "劳务输出;果品种植",
    "都吉台村": "大葱种植;生姜种植;韭菜种植",
    "徐家村": "大葱种植;生姜种植;韭菜种植",
    "转头山村": "畜牧养殖;粮食种植",
    "前姜庄村": "畜牧养殖;蔬菜种植",
    "后姜庄村": "畜牧养殖;粮食种植",
    "管家庄村": "畜牧养殖;果品种植",
    "西见屯村": "蛋鸡养殖;粮食种植",
    "小高乐埠村": "粮食种植;蔬菜种植",
    "高家屯村": "蔬菜种植;劳务输出",
}
NAMED_ENTERPRISES = (
    # (name, town code, industries); 市烟草公司 is a city-level unit.
    ("益欣食品有限公司", "370782101", "食品加工;冷链物流"),
    ("市烟草公司", None, "烟叶收购;烟叶种植"),
)
# City departments and units: every one of them leads a joint committee.
DEPARTMENTS = (
    ("市农业局", "蔬菜种植;农业技术推广"),
    ("市经管局", "农村集体经济;合作社指导"),
    ("市财政局", "财政资金;项目申报"),
    ("市交通运输局", "农村公路;交通运输"),
    ("市水利局", "农田水利;饮水安全"),
    ("市发展和改革局", "项目规划;招商引资"),
    ("市教育和体育局", "教育培训;文体活动"),
    ("市科学技术局", "科技服务;技术推广"),
    ("市工业和信息化局", "工业项目;信息化建设"),
    ("市民政局", "社会救助;村务管理"),
    ("市司法局", "法律服务;人民调解"),
    ("市人力资源和社会保障局", "就业培训;劳务输出"),
    ("市自然资源和规划局", "土地整治;村庄规划"),
    ("市生态环境局", "环境整治;污水治理"),
    ("市住房和城乡建设局", "村庄建设;危房改造"),
    ("市商务局", "电子商务;农产品流通"),
    ("市文化和旅游局", "乡村旅游;文化活动"),
    ("市卫生健康局", "医疗卫生;健康服务"),
    ("市退役军人事务局", "优抚服务;就业服务"),
    ("市应急管理局", "安全生产;防灾减灾"),
    ("市审计局", "财务审计;村级财务"),
    ("市市场监督管理局", "市场监管;品牌建设"),
    ("市统计局", "统计调查;信息服务"),
    ("市医疗保障局", "医疗保障;健康服务"),
    ("市畜牧业发展中心", "畜牧养殖;动物防疫"),
    ("市林业发展中心", "苗木花卉;林果种植"),
    ("市供销合作社", "农资供应;农产品流通"),
    ("市行政审批服务局", "政务服务;证照办理"),
    ("市综合行政执法局", "村容整治;环境卫生"),
    ("市信访局", "矛盾调解;群众工作"),
    ("市农业机械化服务中心", "农机服务;粮食种植"),
    ("市农业技术推广中心", "农业技术推广;种苗繁育"),
    ("市疾病预防控制中心", "公共卫生;健康教育"),
    ("市融媒体中心", "宣传报道;电子商务"),
    ("市公共资源交易中心", "项目招标;信息服务"),
    ("市人民医院", "医疗卫生;义诊服务"),
    ("市中医医院", "中医药;义诊服务"),
    ("市妇幼保健院", "妇幼保健;健康教育"),
    ("市第一中学", "教育培训;文化活动"),
    ("市实验中学", "教育培训;文化活动"),
    ("市职业教育中心学校", "职业培训;技能培训"),
    ("市气象局", "气象服务;防灾减灾"),
    ("市税务局", "税费服务;政策宣传"),
    ("市总工会", "职工服务;技能培训"),
    ("团市委", "青年创业;志愿服务"),
    ("市妇联", "妇女创业;家庭教育"),
    ("市科协", "科普宣传;技术推广"),
    ("市委党校", "干部培训;党员教育"),
    ("市人民法院", "法律服务;矛盾调解"),
    ("市人民检察院", "法律服务;普法宣传"),
    ("市图书馆", "农家书屋;文化活动"),
)
ENTERPRISES = 66  # including the named ones; the rest are generated
ENTERPRISE_IN_TOWN_SHARE = 0.6  # the others are city-level enterprises with no town

# Syllable lists for generated names.
PLACE_SURNAMES = "王李张刘孙赵徐杨陈高于马臧丁管周吴郑宋韩胡朱邱孟袁魏董窦隋葛姜曹吕苗邢秦尹范薛綦"
PLACE_PREFIXES = ("", "", "", "前", "后", "东", "西", "南", "北", "大", "小")
PLACE_SUFFIXES = (
    "", "庄", "沟", "河", "岭", "屯", "埠", "疃", "官庄", "洼", "坡", "营", "楼", "泊", "台",
    "店子", "峪", "庄子", "集", "寨", "崖", "戈庄",
)
# Repeated letters weight the surnames most common in the area.
PERSON_SURNAMES = (
    "王王王张张张李李刘刘孙孙赵徐徐杨陈高高于马臧丁管周吴郑宋韩胡朱邱孟袁魏董窦隋葛姜曹"
)
GIVEN_CHARS = (
    "建国华明军伟强磊洪涛峰刚平辉志海文玉兰英秀芳红霞梅丽静敏燕春庆德成山林永立新学光宝金福荣"
    "凤云桂香振兴安家俊杰晓东鹏飞亮宁"
)
PHONE_PREFIXES = (
    "138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "186", "187",
)
VILLAGE_INDUSTRIES = (
    "粮食种植", "蔬菜种植", "果品种植", "畜牧养殖", "生猪养殖", "肉鸡养殖", "蛋鸡养殖", "奶牛养殖",
    "苗木花卉", "乡村旅游", "农产品加工", "劳务输出", "中药材种植", "生姜种植", "大葱种植",
    "茶叶种植",
)
RESIDENTS_INDUSTRIES = (
    "物业服务", "商贸流通", "建筑安装", "餐饮服务", "家政服务", "劳务中介", "电子商务",
    "仓储物流", "房屋租赁", "集体经济",
)
BRAND_CHARS = "华鑫恒盛泰丰康源金瑞德宏兴隆信和顺佳福益民海润裕正通达永昌利东"
ENTERPRISE_SECTORS = (
    ("食品", "食品加工;冷链物流"),
    ("农业科技", "种苗繁育;蔬菜种植"),
    ("牧业", "畜禽养殖;饲料加工"),
    ("机械", "机械制造"),
    ("汽车配件", "汽车零部件制造"),
    ("纺织", "纺织服装"),
    ("服饰", "服装加工;劳务输出"),
    ("生物科技", "生物医药;农产品加工"),
    ("建材", "建筑材料;建筑施工"),
    ("木业", "木制品加工"),
    ("包装", "包装印刷"),
    ("物流", "仓储物流;电子商务"),
    ("石材", "石材加工"),
    ("茶业", "茶叶种植;茶叶加工"),
    ("果蔬", "果品种植;果蔬加工"),
    ("建设工程", "建筑施工;劳务输出"),
)
ENTERPRISE_FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司")

# Members per branch and their committee roles (DESIGN §1: the secretary plus a small committee).
MEMBERS_PER_BRANCH = {"village": (12, 30), "urban": (15, 40)}
DEPUTIES = (1, 2)
COMMITTEE_MEMBERS = (2, 4)
R = Member.Role


@dataclass(frozen=True)
class CityPlan:
    towns: tuple[TownSpec, ...]
    branches: tuple[BranchSpec, ...]

    @functools.cached_property
    def _by_name(self) -> dict[str, BranchSpec]:
        return {b.name: b for b in self.branches}

    def branch(self, name: str) -> BranchSpec:
        """The branch with this name; names are unique in the demo city."""
        return self._by_name[name]

    def of_kind(self, kind: str) -> list[BranchSpec]:
        return [b for b in self.branches if b.kind == kind]


def date_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return datetime.date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(PERSON_SURNAMES) + given


def _roster(seed: int, code: str, kind: str) -> tuple[MemberSpec, ...]:
    """A branch's members; seeded by the branch code so each roster stands on its own."""
    rng = random.Random(f"{seed}:members:{code}")
    low, high = MEMBERS_PER_BRANCH["village" if kind == Branch.Kind.VILLAGE else "urban"]
    names: list[str] = []
    size = rng.randint(low, high)
    while len(names) < size:
        name = person_name(rng)
        if name not in names:
            names.append(name)
    deputies = rng.randint(*DEPUTIES)
    committee = rng.randint(*COMMITTEE_MEMBERS)
    roles = [R.SECRETARY] + [R.DEPUTY] * deputies + [R.COMMITTEE] * committee
    roles += [R.MEMBER] * (size - len(roles))
    # Officers tend to be long-standing members; ordinary members joined at any time.
    officer_span = (datetime.date(1985, 1, 1), datetime.date(2014, 12, 31))
    member_span = (datetime.date(1975, 1, 1), datetime.date(2024, 6, 30))
    return tuple(
        MemberSpec(
            name=name,
            role=role,
            joined_on=date_between(rng, *(member_span if role == R.MEMBER else officer_span)),
            phone=rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
        )
        for name, role in zip(names, roles, strict=True)
    )


class _Names:
    """Distinct generated names, never clashing with the real ones of the named cases."""

    def __init__(self, rng: random.Random, taken: Iterable[str]) -> None:
        self.rng = rng
        self.taken = set(taken)

    def unique(self, make: Callable[[], str]) -> str:
        while (name := make()) in self.taken:
            pass
        self.taken.add(name)
        return name

    def place(self) -> str:
        """A place stem such as 王家庄, 前姜庄 or 刘家沟."""
        rng = self.rng
        suffix = rng.choice(PLACE_SUFFIXES)
        family = "家" if not suffix or rng.random() < 0.6 else ""
        return rng.choice(PLACE_PREFIXES) + rng.choice(PLACE_SURNAMES) + family + suffix

    def village(self) -> str:
        return self.unique(lambda: self.place() + "村")

    def residents(self) -> str:
        return self.unique(lambda: self.place() + "居委会")

    def enterprise(self) -> tuple[str, str]:
        sector, industries = self.rng.choice(ENTERPRISE_SECTORS)

        def make() -> str:
            brand = "".join(self.rng.sample(BRAND_CHARS, 2))
            return f"{CITY_NAME}{brand}{sector}{self.rng.choice(ENTERPRISE_FORMS)}"

        return self.unique(make), industries


def _pick_industries(rng: random.Random, pool: Sequence[str], most: int = 3) -> str:
    return ";".join(rng.sample(pool, rng.randint(1, most)))


def _stem(name: str) -> str:
    return name.removesuffix("村").removesuffix("居委会")


def _villages(town: TownSpec, rng: random.Random, names: _Names) -> list[tuple[str, str, bool]]:
    """A town's villages as (name, industries, weak): the named ones first, then generated."""
    villages = [(name, NAMED_VILLAGE_INDUSTRIES[name], True) for name in town.named_villages]
    # Named and tobacco villages are all joined, so they are weak; the others by share.
    tobacco = [(names.village(), f"{TOBACCO_INDUSTRY};粮食种植", True)
               for _ in range(town.tobacco_villages)]
    weak = round(town.villages * WEAK_SHARE) - len(villages) - len(tobacco)
    flags = [True] * weak + [False] * (town.villages - len(villages) - len(tobacco) - weak)
    rng.shuffle(flags)
    others = [(names.village(), _pick_industries(rng, VILLAGE_INDUSTRIES), f) for f in flags]
    return villages + tobacco + others


@functools.lru_cache(maxsize=4)
def city_plan(seed: int = DEMO_SEED) -> CityPlan:
    """The whole reference city, decided in memory from one seed; touches no database."""
    rng = random.Random(f"{seed}:branches")
    named = [n for t in TOWNS for n in (*t.named_villages, *t.named_residents)]
    # Village and residents' names share their stems, so 王家庄村 and 王家庄居委会 never co-exist.
    names = _Names(rng, taken=[*named, *map(_stem, named)])
    branches: list[BranchSpec] = []

    def add(code: str, name: str, kind: str, town: str | None, industries: str, weak: bool) -> None:
        branches.append(
            BranchSpec(code, name, kind, town, industries, weak, _roster(seed, code, kind))
        )

    for town in TOWNS:
        for number, (name, industries, weak) in enumerate(_villages(town, rng, names), start=1):
            add(f"{town.code}-V{number:03d}", name, Branch.Kind.VILLAGE, town.code, industries,
                weak)
        residents = [*town.named_residents]
        residents += [names.residents() for _ in range(town.residents - len(residents))]
        for number, name in enumerate(residents, start=1):
            add(f"{town.code}-R{number:02d}", name, Branch.Kind.RESIDENTS, town.code,
                _pick_industries(rng, RESIDENTS_INDUSTRIES), False)

    enterprises = [*NAMED_ENTERPRISES]
    while len(enterprises) < ENTERPRISES:
        name, industries = names.enterprise()
        in_town = rng.random() < ENTERPRISE_IN_TOWN_SHARE
        enterprises.append((name, rng.choice(TOWNS).code if in_town else None, industries))
    for number, (name, town_code, industries) in enumerate(enterprises, start=1):
        add(f"E{number:03d}", name, Branch.Kind.ENTERPRISE, town_code, industries, False)
    for number, (name, industries) in enumerate(DEPARTMENTS, start=1):
        add(f"D{number:03d}", name, Branch.Kind.DEPARTMENT, None, industries, False)
    return CityPlan(towns=TOWNS, branches=tuple(branches))


def create_in_bulk(model: type[Model], objs: Sequence[Model]) -> None:
    """Insert rows in bulk and record their creation in the audit trail."""
    if objs:
        bulk_create_with_history(
            list(objs), model, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON
        )


def _load_towns(plan: CityPlan) -> dict[str, Tally]:
    existing = set(
        Town.objects.filter(code__in=[t.code for t in plan.towns]).values_list("code", flat=True)
    )
    new = [
        Town(code=t.code, name=t.name, kind=t.kind) for t in plan.towns if t.code not in existing
    ]
    create_in_bulk(Town, new)
    return {str(Town._meta.verbose_name): Tally(len(new), len(existing))}


def _load_branches(plan: CityPlan) -> dict[str, Tally]:
    town_ids = dict(
        Town.objects.filter(code__in=[t.code for t in plan.towns]).values_list("code", "pk")
    )
    existing = set(
        Branch.objects.filter(code__in=[b.code for b in plan.branches])
        .values_list("code", flat=True)
    )
    new = [b for b in plan.branches if b.code not in existing]
    create_in_bulk(Branch, [
        Branch(
            code=b.code,
            name=b.name,
            kind=b.kind,
            town_id=town_ids.get(b.town_code),
            secretary=b.secretary,
            industries=b.industries,
            weak=b.weak,
        )
        for b in new
    ])
    tallies = {}
    for kind in (Branch.Kind.VILLAGE, *Branch.URBAN_KINDS):
        created = sum(b.kind == kind for b in new)
        planned = sum(b.kind == kind for b in plan.branches)
        tallies[str(kind.label)] = Tally(created, planned - created)
    return tallies


def _load_members(plan: CityPlan) -> dict[str, Tally]:
    branch_ids = dict(
        Branch.objects.filter(code__in=[b.code for b in plan.branches])
        .values_list("code", "pk")
    )
    existing = set(
        Member.objects.filter(branch_id__in=branch_ids.values()).values_list("branch_id", "name")
    )
    planned = [(branch_ids[b.code], m) for b in plan.branches for m in b.members]
    new = [
        Member(branch_id=branch_id, name=m.name, role=m.role, joined_on=m.joined_on, phone=m.phone)
        for branch_id, m in planned
        if (branch_id, m.name) not in existing
    ]
    create_in_bulk(Member, new)
    return {str(Member._meta.verbose_name): Tally(len(new), len(planned) - len(new))}


def load(seed: int = DEMO_SEED) -> dict[str, Tally]:
    """Write the towns, branches and members of the reference city that are not there yet."""
    plan = city_plan(seed)
    return {**_load_towns(plan), **_load_branches(plan), **_load_members(plan)}
