"""The pairing as one integer programme, solved globally with scipy's `milp` (HiGHS).

Variables: x[u,v] = 1 when village v goes to urban branch u (only pairs in reach and not
forbidden exist), y[u,t] = 1 when u opens a new committee in town t.
Maximise Σ (PLACEMENT + score[u,v]) · x[u,v] subject to
- each village at most once (a locked pair is fixed to 1);
- 2·y[u,t] ≤ Σ_{v in t} x[u,v] ≤ 4·y[u,t]: a committee has 2–4 villages, all in one town;
- Σ_t y[u,t] ≤ committees_per_run: new committees per urban branch in one run;
- Σ_v x[u,v] ≤ capacity − load[u]: the villages an urban branch may still take;
- for a rejected group S of u in town t: Σ_{v∈S} x[u,v] − Σ_{v∈t∖S} x[u,v] ≤ |S| − 1, so that
  exact group never comes back (a group with one more or one fewer village may).
PLACEMENT (10) exceeds the largest score a pair can reach with the default weights (9), so the
solver places as many villages as it can before it looks at how well they suit.
"""

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from twinning.advisor import scoring

PLACEMENT = 10.0
MIN_VILLAGES, MAX_VILLAGES = 2, 4
# HiGHS stops once its solution is proven within this fraction of the optimum (or at the time
# limit with the best it has). Small cases solve to the optimum well inside the gap.
MIP_GAP = 0.001
TIME_LIMIT = 60.0
# Each village keeps only the urban branches that suit it best as candidates; the programme is
# solved exactly over those. With fewer candidates than this nothing is cut (all small cases).
CANDIDATES_PER_VILLAGE = 8


@dataclass(frozen=True)
class Urban:
    id: int
    kind: str
    town: int | None
    industries: tuple[str, ...]
    load: int = 0


@dataclass(frozen=True)
class Village:
    id: int
    town: int
    industries: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    urbans: Sequence[Urban]
    villages: Sequence[Village]
    weights: scoring.Weights = scoring.Weights()
    capacity: int = 6
    committees_per_run: int = 1
    locks: frozenset[tuple[int, int]] = frozenset()  # (urban id, village id)
    forbidden: frozenset[tuple[int, int]] = frozenset()
    rejected: Sequence[tuple[int, frozenset[int]]] = ()


@dataclass
class Group:
    urban: Urban
    town: int
    villages: list[Village]
    factors: dict[int, scoring.Factors]  # by village id

    @property
    def score(self) -> float:
        return sum(f.score(self.weights) for f in self.factors.values())

    weights: scoring.Weights = scoring.Weights()


@dataclass
class Solution:
    groups: list[Group] = field(default_factory=list)
    unplaced: dict[int, str] = field(default_factory=dict)  # village id -> reason code
    feasible: bool = True

    @property
    def objective(self) -> float:
        return sum(PLACEMENT * len(g.villages) + g.score for g in self.groups)


# Why a village is left out; the pages turn the codes into sentences.
NO_REACH = "no_reach"
FORBIDDEN = "forbidden"
NO_CAPACITY = "no_capacity"
ALONE = "alone"
OUTSCORED = "outscored"


def factors(problem: Problem, urban: Urban, village: Village) -> scoring.Factors | None:
    near = scoring.nearness(urban.town, village.town)
    if near is None:
        return None
    return scoring.Factors(
        similarity=scoring.similarity(urban.industries, village.industries),
        complement=scoring.complement(urban.kind, urban.industries, village.industries),
        nearness=near,
        load=scoring.spare(urban.load, problem.capacity),
    )


def candidates(problem: Problem) -> dict[tuple[int, int], scoring.Factors]:
    """Every pair the solver may use, with its factors: in reach, not forbidden, room left."""
    pairs = {}
    for urban in problem.urbans:
        if urban.load >= problem.capacity or problem.committees_per_run == 0:
            continue
        for village in problem.villages:
            if (urban.id, village.id) in problem.forbidden:
                continue
            found = factors(problem, urban, village)
            if found is not None:
                pairs[urban.id, village.id] = found
    by_village: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for (u, v), found in pairs.items():
        by_village[v].append((found.score(problem.weights), u))
    kept = {(u, v) for v, options in by_village.items()
            for _score, u in sorted(options, reverse=True)[:CANDIDATES_PER_VILLAGE]}
    kept |= problem.locks & pairs.keys()
    return {key: found for key, found in pairs.items() if key in kept}


def solve(problem: Problem) -> Solution:
    """The best set of new committees for the problem (see the module's docstring)."""
    pairs = candidates(problem)
    keys = list(pairs)
    urbans = {u.id: u for u in problem.urbans}
    villages = {v.id: v for v in problem.villages}
    index = {key: i for i, key in enumerate(keys)}
    towns = sorted({(u, villages[v].town) for u, v in keys})
    y_index = {key: len(keys) + i for i, key in enumerate(towns)}
    n = len(keys) + len(towns)
    if not keys:
        return _with_reasons(problem, Solution(), pairs)

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lower: list[float] = []
    upper: list[float] = []

    def add_row(entries: list[tuple[int, float]], lo: float, hi: float) -> None:
        row = len(lower)
        for col, val in entries:
            rows.append(row)
            cols.append(col)
            vals.append(val)
        lower.append(lo)
        upper.append(hi)

    by_village: dict[int, list[int]] = defaultdict(list)
    by_urban_town: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_urban: dict[int, list[int]] = defaultdict(list)
    for i, (u, v) in enumerate(keys):
        by_village[v].append(i)
        by_urban_town[u, villages[v].town].append(i)
        by_urban[u].append(i)
    for cols_v in by_village.values():
        add_row([(i, 1.0) for i in cols_v], 0, 1)
    for key, cols_ut in by_urban_town.items():
        y = y_index[key]
        xs = [(i, 1.0) for i in cols_ut]
        add_row([*xs, (y, -float(MAX_VILLAGES))], -math.inf, 0)
        add_row([*xs, (y, -float(MIN_VILLAGES))], 0, math.inf)
    ys_by_urban: dict[int, list[int]] = defaultdict(list)
    for (u, _town), y in y_index.items():
        ys_by_urban[u].append(y)
    for u, ys in ys_by_urban.items():
        add_row([(y, 1.0) for y in ys], 0, problem.committees_per_run)
        add_row([(i, 1.0) for i in by_urban[u]], 0, problem.capacity - urbans[u].load)
    for u, group in problem.rejected:
        town = {villages[v].town for v in group if v in villages}
        if len(town) != 1 or not all((u, v) in index for v in group):
            continue  # that group cannot come back anyway
        inside = [(index[u, v], 1.0) for v in group]
        outside = [(i, -1.0) for i in by_urban_town[u, town.pop()] if keys[i][1] not in group]
        add_row(inside + outside, -math.inf, len(group) - 1)

    cost = np.zeros(n)
    for i, key in enumerate(keys):
        cost[i] = -(PLACEMENT + pairs[key].score(problem.weights))
    low = np.zeros(n)
    for key in problem.locks:
        if key in index:
            low[index[key]] = 1
    matrix = coo_array((vals, (rows, cols)), shape=(len(lower), n)).tocsr()
    result = milp(
        cost, integrality=np.ones(n), bounds=Bounds(low, np.ones(n)),
        constraints=LinearConstraint(matrix, lower, upper),
        options={"mip_rel_gap": MIP_GAP, "time_limit": TIME_LIMIT},
    )
    if result.x is None:
        return Solution(feasible=False)
    chosen = [keys[i] for i in range(len(keys)) if result.x[i] > 0.5]
    grouped: dict[tuple[int, int], list[int]] = defaultdict(list)
    for u, v in chosen:
        grouped[u, villages[v].town].append(v)
    solution = Solution()
    for (u, town), vs in sorted(grouped.items()):
        members = sorted((villages[v] for v in vs), key=lambda v: v.id)
        solution.groups.append(Group(urbans[u], town, members,
                                     {v.id: pairs[u, v.id] for v in members}, problem.weights))
    return _with_reasons(problem, solution, pairs)


def _with_reasons(
    problem: Problem, solution: Solution, pairs: dict[tuple[int, int], scoring.Factors]
) -> Solution:
    """Why each village left out is left out, the first reason that applies."""
    placed = {v.id for g in solution.groups for v in g.villages}
    with_room = {u.id for u in problem.urbans if u.load < problem.capacity}
    reachable: dict[int, set[int]] = defaultdict(set)
    for u in problem.urbans:
        for v in problem.villages:
            if scoring.nearness(u.town, v.town) is not None:
                reachable[v.id].add(u.id)
    open_urbans: dict[int, set[int]] = defaultdict(set)
    for u, v in pairs:
        open_urbans[v].add(u)
    town_of = {v.id: v.town for v in problem.villages}
    for village in problem.villages:
        if village.id in placed:
            continue
        partners = [w for w, us in open_urbans.items()
                    if town_of[w] == village.town and us & open_urbans.get(village.id, set())]
        if not reachable[village.id]:
            reason = NO_REACH
        elif not reachable[village.id] - {u for u, v in problem.forbidden if v == village.id}:
            reason = FORBIDDEN
        elif not reachable[village.id] & with_room:
            reason = NO_CAPACITY
        elif len(partners) < MIN_VILLAGES:
            reason = ALONE
        else:
            reason = OUTSCORED
        solution.unplaced[village.id] = reason
    return solution
