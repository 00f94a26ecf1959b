"""The pairing advisor: optimal on small cases (against brute force), the rules of DESIGN §1
always hold, the department's locks, forbidden pairs and rejections are respected, and an
accepted proposal becomes a committee formed 定对."""

import itertools
import random
from collections import Counter

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, ResidentsFactory, TownFactory, VillageFactory
from twinning.advisor import scoring
from twinning.advisor.models import PairRule, ProposalRejection
from twinning.advisor.solver import PLACEMENT, Problem, Urban, Village, solve
from twinning.committees.models import JointCommittee

INDUSTRIES = ("粮食种植", "蔬菜种植", "果品种植", "畜牧养殖", "劳务输出", "茶叶种植")
URBAN_INDUSTRIES = ("食品加工", "建筑施工", "电子商务", "饲料加工", "物业服务", "蔬菜种植")


def _random_problem(seed: int, **kwargs) -> Problem:
    rng = random.Random(seed)
    villages = [Village(i, rng.randrange(2), tuple(rng.sample(INDUSTRIES, rng.randint(1, 2))))
                for i in range(rng.randint(4, 6))]
    urbans = [Urban(100 + i, rng.choice(("residents", "enterprise", "department")),
                    rng.choice((None, 0, 1)), tuple(rng.sample(URBAN_INDUSTRIES, 2)),
                    load=rng.choice((0, 2, 3)))
              for i in range(rng.randint(2, 3))]
    return Problem(urbans, villages, capacity=5, **kwargs)


def _brute_force(problem: Problem) -> float:
    """The best objective over every valid grouping: each urban branch takes nothing or one
    group of 2–4 villages of one town within its capacity, no village twice."""
    options = []
    for urban in problem.urbans:
        room = problem.capacity - urban.load
        mine = [None]
        for size in range(2, 5):
            for group in itertools.combinations(problem.villages, size):
                towns = {v.town for v in group}
                keys = [(urban.id, v.id) for v in group]
                if (len(towns) != 1 or size > room
                        or any(k in problem.forbidden for k in keys)
                        or scoring.nearness(urban.town, group[0].town) is None
                        or (urban.id, frozenset(v.id for v in group)) in problem.rejected):
                    continue
                mine.append(group)
        options.append(mine)
    locks = set(problem.locks)
    best = -1.0
    for choice in itertools.product(*options):
        used = [v.id for group in choice if group for v in group]
        if len(used) != len(set(used)):
            continue
        taken = {(u.id, v.id) for u, group in zip(problem.urbans, choice, strict=True)
                 if group for v in group}
        if not locks <= taken:
            continue
        total = 0.0
        for urban, group in zip(problem.urbans, choice, strict=True):
            for village in group or ():
                from twinning.advisor.solver import factors
                total += PLACEMENT + factors(problem, urban, village).score(problem.weights)
        best = max(best, total)
    return best


def _check_rules(problem: Problem, solution) -> None:
    used = [v.id for g in solution.groups for v in g.villages]
    assert len(used) == len(set(used))
    for group in solution.groups:
        assert 2 <= len(group.villages) <= 4
        assert len({v.town for v in group.villages}) == 1
        assert group.urban.load + len(group.villages) <= problem.capacity
        assert all((group.urban.id, v.id) not in problem.forbidden for v in group.villages)
    assert max(Counter(g.urban.id for g in solution.groups).values(), default=0) <= 1
    assert set(used) | set(solution.unplaced) == {v.id for v in problem.villages}


@pytest.mark.parametrize("seed", range(12))
def test_proposal_is_optimal_against_brute_force(seed: int) -> None:
    problem = _random_problem(seed)
    solution = solve(problem)
    _check_rules(problem, solution)
    assert solution.objective == pytest.approx(_brute_force(problem), abs=1e-6)


@pytest.mark.parametrize("seed", range(6))
def test_forbidden_pairs_and_locks_are_respected_and_still_optimal(seed: int) -> None:
    base = _random_problem(seed)
    pair = (base.urbans[0].id, base.villages[0].id)
    forbidden = frozenset({(base.urbans[-1].id, v.id) for v in base.villages[:2]})
    problem = Problem(base.urbans, base.villages, capacity=5, forbidden=forbidden)
    solution = solve(problem)
    _check_rules(problem, solution)
    assert solution.objective == pytest.approx(_brute_force(problem), abs=1e-6)
    locked = Problem(base.urbans, base.villages, capacity=5, locks=frozenset({pair}))
    result = solve(locked)
    if result.feasible:
        _check_rules(locked, result)
        assert any(g.urban.id == pair[0] and pair[1] in {v.id for v in g.villages}
                   for g in result.groups)
        assert result.objective == pytest.approx(_brute_force(locked), abs=1e-6)
    else:
        assert _brute_force(locked) < 0


def test_a_rejected_group_is_not_proposed_again() -> None:
    urban = Urban(100, "enterprise", 0, ("食品加工",))
    villages = [Village(i, 0, ("蔬菜种植",)) for i in range(2)]
    first = solve(Problem([urban], villages))
    assert [len(g.villages) for g in first.groups] == [2]
    again = solve(Problem([urban], villages, rejected=[(100, frozenset({0, 1}))]))
    assert again.groups == []
    assert set(again.unplaced) == {0, 1}


def test_complementary_and_similar_urban_side_wins() -> None:
    food = Urban(1, "enterprise", 0, ("食品加工", "蔬菜种植"))
    machines = Urban(2, "enterprise", 0, ("机械制造",))
    villages = [Village(i, 0, ("蔬菜种植",)) for i in range(3)]
    solution = solve(Problem([food, machines], villages))
    assert [(g.urban.id, len(g.villages)) for g in solution.groups] == [(1, 3)]
    found = solution.groups[0].factors[0]
    assert (found.similarity, found.complement, found.nearness) == (1.0, 1.0, 1.0)


def test_villages_left_out_carry_their_reason() -> None:
    lonely = Village(1, 7, ("粮食种植",))
    far = Village(2, 8, ("粮食种植",))
    blocked = [Village(3, 0, ("粮食种植",)), Village(4, 0, ("粮食种植",))]
    residents_in_7 = Urban(10, "residents", 7, ())
    full = Urban(11, "residents", 0, (), load=6)
    problem = Problem([residents_in_7, full], [lonely, far, *blocked])
    assert solve(problem).unplaced == {1: "alone", 2: "no_reach", 3: "no_capacity",
                                       4: "no_capacity"}
    forbid = Problem([residents_in_7], [Village(5, 7, ()), Village(6, 7, ())],
                     forbidden=frozenset({(10, 5)}))
    assert solve(forbid).unplaced == {5: "forbidden", 6: "alone"}


@pytest.fixture
def demo_pairing(db):
    town = TownFactory(code="T-AD", name="测试昌城镇")
    food = ResidentsFactory(code="R-FOOD", town=town, industries="食品加工;冷链物流")
    DepartmentFactory(code="D-X", industries="政务服务")
    villages = [VillageFactory(code=f"V-AD{i}", town=town, industries="蔬菜种植")
                for i in range(3)]
    return food, villages


def test_department_sees_proposals_with_reasons_and_accepts_one(client, department_user,
                                                                demo_pairing) -> None:
    food, villages = demo_pairing
    client.force_login(department_user)
    page = client.get(reverse("advisor")).content.decode()
    assert "R-FOOD" in page and "优势互补" in page
    response = client.post(reverse("advisor_accept"), {
        "urban": food.code, "villages": ";".join(v.code for v in villages),
        "code": "JC-NEW", "name": "新建联合党总支",
    })
    committee = JointCommittee.objects.get(code="JC-NEW")
    assert response.url == committee.get_absolute_url()
    assert committee.formation == JointCommittee.Formation.ASSIGNED
    assert committee.urban == food
    assert sorted(m.village.code for m in committee.memberships.all()) == [
        v.code for v in villages]
    assert committee.history.get().history_user == department_user
    assert "R-FOOD" not in client.get(reverse("advisor")).content.decode()


def test_a_broken_accept_shows_the_rule_and_creates_nothing(client, department_user,
                                                           demo_pairing) -> None:
    food, villages = demo_pairing
    client.force_login(department_user)
    response = client.post(reverse("advisor_accept"), {
        "urban": food.code, "villages": villages[0].code, "code": "JC-ONE", "name": "一个村",
    }, follow=True)
    assert "须有2至4个村" in response.content.decode()
    assert not JointCommittee.objects.filter(code="JC-ONE").exists()


def test_department_locks_forbids_and_rejects(client, department_user, demo_pairing) -> None:
    food, villages = demo_pairing
    client.force_login(department_user)
    for urban in (food.code, "D-X"):
        client.post(reverse("advisor_rules"), {"urban": urban, "village": villages[0].code,
                                               "kind": "forbid"})
    assert PairRule.objects.count() == 2
    rule = PairRule.objects.get(urban=food)
    assert (rule.village, rule.kind) == (villages[0], "forbid")
    page = client.get(reverse("advisor")).content.decode()
    assert "与可联建的城市党组织均被禁止配对" in page
    client.post(reverse("advisor_rules"), {"delete": rule.pk})
    assert list(PairRule.objects.values_list("urban__code", flat=True)) == ["D-X"]
    client.post(reverse("advisor_reject"), {
        "urban": food.code, "villages": ";".join(v.code for v in villages),
        "code": "x", "name": "x"})
    assert ProposalRejection.objects.get().villages == ";".join(sorted(v.code for v in villages))


@pytest.mark.parametrize("persona", ["town_user", "secretary_user", "inspector_user",
                                     "leader_user"])
def test_only_the_department_may_use_the_advisor(client, persona, request, demo_pairing) -> None:
    food, villages = demo_pairing
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("advisor")).status_code == 403
    response = client.post(reverse("advisor_accept"), {
        "urban": food.code, "villages": ";".join(v.code for v in villages),
        "code": "JC-NO", "name": "不许"})
    assert response.status_code == 403
    assert not JointCommittee.objects.filter(code="JC-NO").exists()


def test_advisor_page_queries_do_not_grow_with_the_city(client, department_user,
                                                       django_assert_num_queries) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(department_user)

    def city(n: int) -> None:
        town = TownFactory()
        for _ in range(n):
            ResidentsFactory(town=town, industries="食品加工")
            VillageFactory(town=town, industries="蔬菜种植")
            VillageFactory(town=town, industries="粮食种植")

    city(1)
    with CaptureQueriesContext(connection) as small:
        assert "食品加工" in client.get(reverse("advisor")).content.decode()
    city(6)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("advisor"))
