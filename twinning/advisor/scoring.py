"""How well an urban branch suits a weak village: the four factors of DESIGN §1
(产业相近、优势互补、资源共享、功能带动), each a number from 0 to 1.

- similarity (产业相近): for each of the village's industries, 1 if the urban side has the same
  one, 0.5 if one shares its first two characters (the product: 蔬菜种植 and 蔬菜加工), else 0;
  averaged over the village's industries.
- complement (优势互补): the share of the village's industries that something the urban side
  offers serves, after `COMPLEMENTS` (an urban industry → the village industries it helps) and
  `KIND_OFFERS` (what any branch of a kind brings: residents' committees and enterprises
  take on surplus labour).
- nearness (资源共享): 1 in the same town, 0.5 for a city-level unit with no town. Branches of
  another town are out of reach and never proposed.
- load (功能带动): the urban side's spare pull, 1 − villages it already leads ÷ capacity.

A village's score with an urban branch is the weighted sum; the department sets the weights.
"""

from collections.abc import Iterable
from dataclasses import dataclass

GROWING = frozenset({"粮食种植", "蔬菜种植", "果品种植", "生姜种植", "大葱种植", "韭菜种植",
                     "中药材种植", "茶叶种植", "苗木花卉", "烟叶种植"})
RAISING = frozenset({"畜牧养殖", "生猪养殖", "肉鸡养殖", "蛋鸡养殖", "奶牛养殖"})
LABOUR = frozenset({"劳务输出", "建筑劳务"})
PRODUCE = GROWING | RAISING

COMPLEMENTS: dict[str, frozenset[str]] = {
    "食品加工": PRODUCE - {"苗木花卉", "烟叶种植", "中药材种植"},
    "冷链物流": frozenset({"蔬菜种植", "果品种植", "肉鸡养殖", "蛋鸡养殖", "奶牛养殖"}),
    "果蔬加工": frozenset({"蔬菜种植", "果品种植", "生姜种植", "大葱种植", "韭菜种植"}),
    "饲料加工": RAISING | {"粮食种植"},
    "畜禽养殖": RAISING,
    "动物防疫": RAISING,
    "茶叶加工": frozenset({"茶叶种植"}),
    "生物医药": frozenset({"中药材种植"}),
    "农产品加工": PRODUCE,
    "种苗繁育": GROWING,
    "农业技术推广": GROWING,
    "技术推广": PRODUCE,
    "科技服务": PRODUCE,
    "农机服务": frozenset({"粮食种植"}),
    "林果种植": frozenset({"果品种植", "苗木花卉"}),
    "烟叶收购": frozenset({"烟叶种植"}),
    "建筑施工": LABOUR,
    "建筑安装": LABOUR,
    "劳务中介": LABOUR,
    "就业培训": LABOUR,
    "职业培训": LABOUR,
    "电子商务": frozenset({"果品种植", "蔬菜种植", "茶叶种植", "农产品加工", "苗木花卉"}),
    "农产品流通": PRODUCE | {"农产品加工"},
    "商贸流通": frozenset({"蔬菜种植", "果品种植", "农产品加工"}),
    "仓储物流": frozenset({"蔬菜种植", "果品种植", "农产品加工"}),
    "餐饮服务": frozenset({"蔬菜种植", "乡村旅游"}),
    "乡村旅游": frozenset({"乡村旅游", "果品种植", "苗木花卉"}),
    "合作社指导": PRODUCE,
    "农村集体经济": PRODUCE | {"乡村旅游"},
    "集体经济": frozenset({"乡村旅游", "农产品加工"}),
}
KIND_OFFERS: dict[str, frozenset[str]] = {
    "residents": LABOUR,
    "enterprise": LABOUR,
    "department": frozenset(),
}
NEAR_SAME_TOWN = 1.0
NEAR_CITY_LEVEL = 0.5
FACTORS = ("similarity", "complement", "nearness", "load")


@dataclass(frozen=True)
class Weights:
    similarity: int = 3
    complement: int = 3
    nearness: int = 2
    load: int = 1


@dataclass(frozen=True)
class Factors:
    similarity: float
    complement: float
    nearness: float
    load: float

    def score(self, weights: Weights) -> float:
        return sum(getattr(self, name) * getattr(weights, name) for name in FACTORS)


def similarity(urban: Iterable[str], village: Iterable[str]) -> float:
    urban_items, village_items = set(urban), list(village)
    if not village_items or not urban_items:
        return 0.0
    stems = {item[:2] for item in urban_items}

    def match(item: str) -> float:
        if item in urban_items:
            return 1.0
        return 0.5 if item[:2] in stems else 0.0

    return sum(match(item) for item in village_items) / len(village_items)


def complement(urban_kind: str, urban: Iterable[str], village: Iterable[str]) -> float:
    village_items = list(village)
    if not village_items:
        return 0.0
    served = set(KIND_OFFERS.get(urban_kind, ()))
    for item in urban:
        served |= COMPLEMENTS.get(item, frozenset())
    return sum(item in served for item in village_items) / len(village_items)


def nearness(urban_town: int | None, village_town: int) -> float | None:
    """None when the urban branch is out of the village's reach."""
    if urban_town is None:
        return NEAR_CITY_LEVEL
    return NEAR_SAME_TOWN if urban_town == village_town else None


def spare(load: int, capacity: int) -> float:
    return max(0.0, 1 - load / capacity) if capacity else 0.0
