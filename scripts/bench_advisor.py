"""Benchmark of the pairing advisor: proposals for 1,000 weak villages and 500 urban branches.

Usage: python scripts/bench_advisor.py [--villages N] [--urbans N] [--towns N] [--seed N]

Builds a synthetic city in memory (villages spread over the towns with industries from the demo
city's pools; a fifth of the urban branches are city-level units with no town, who may take
villages anywhere) and solves the whole pairing as one integer programme
(`twinning.advisor.solver.solve`). Prints wall time, peak traced Python memory and peak
resident set size, and checks the rules on the result.
"""

import argparse
import random
import resource
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from twinning.advisor import scoring  # noqa: E402
from twinning.advisor.solver import Problem, Urban, Village, solve  # noqa: E402

VILLAGE_POOL = ("粮食种植", "蔬菜种植", "果品种植", "畜牧养殖", "生猪养殖", "肉鸡养殖",
                "蛋鸡养殖", "苗木花卉", "乡村旅游", "农产品加工", "劳务输出", "中药材种植",
                "生姜种植", "大葱种植", "茶叶种植")
URBAN_POOL = tuple(scoring.COMPLEMENTS) + ("物业服务", "机械制造", "纺织服装", "政务服务")
KINDS = ("residents", "enterprise", "department")


def city(villages: int, urbans: int, towns: int, seed: int) -> Problem:
    rng = random.Random(seed)
    vs = [Village(i, rng.randrange(towns), tuple(rng.sample(VILLAGE_POOL, rng.randint(1, 3))))
          for i in range(villages)]
    us = []
    for i in range(urbans):
        kind = rng.choice(KINDS) if i % 5 else "department"
        town = None if i % 5 == 0 else rng.randrange(towns)
        us.append(Urban(100_000 + i, kind, town, tuple(rng.sample(URBAN_POOL, 2)),
                        load=rng.choice((0, 0, 0, 2, 3, 4))))
    return Problem(us, vs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--urbans", type=int, default=500)
    parser.add_argument("--towns", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    problem = city(args.villages, args.urbans, args.towns, args.seed)
    tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    solution = solve(problem)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    placed = sum(len(g.villages) for g in solution.groups)
    per_urban = Counter(g.urban.id for g in solution.groups)
    assert all(2 <= len(g.villages) <= 4 for g in solution.groups)
    assert all(len({v.town for v in g.villages}) == 1 for g in solution.groups)
    assert max(per_urban.values(), default=0) <= problem.committees_per_run
    print(f"villages={args.villages} urbans={args.urbans} towns={args.towns}")
    print(f"committees proposed={len(solution.groups)} villages placed={placed} "
          f"left out={len(solution.unplaced)} ({dict(Counter(solution.unplaced.values()))})")
    print(f"time={elapsed:.2f}s (CPU {cpu:.2f}s) objective={solution.objective:.1f} "
          f"peak traced memory={peak / 2**20:.1f} MiB "
          f"peak RSS={rss_mb:.0f} MiB")


if __name__ == "__main__":
    main()
