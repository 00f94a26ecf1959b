"""Benchmark of the monthly bulletin build on the synthetic city at N=1 and N=10 (PostgreSQL).

Usage: python scripts/bench_bulletin.py [--scales 1 10] [--postgres URL]

For each scale, a scratch PostgreSQL database (created and dropped; default
postgres://postgres@127.0.0.1:5432/twinning_bench_scale) gets the synthetic city
(scripts/synthetic_city.py); then a fresh process builds last month's bulletin through the real
`reports.bulletins.services.bulletin_build` and reports:
- the build time, split into gathering the data (`reports.bulletins.selectors.bulletin_data`), the
  template with its SVG charts, WeasyPrint's PDF, and the rest (claiming, progress, storing);
- the queries the gathering makes (CaptureQueriesContext), which must not depend on the scale:
  the script fails if N=1 and N=10 differ;
- peak memory: the process's peak resident set size (`resource.getrusage` ru_maxrss) and its
  growth over the resident size just before the build.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_city import bench_environment, postgres_database, prepare  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/twinning_bench_scale"


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def step() -> None:
    """In a fresh process on the prepared database: build one bulletin, print JSON."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from reports.bulletins import services
    from reports.bulletins.models import Bulletin
    from twinning.committees.models import JointCommittee
    from twinning.shared.periods import previous_month

    seconds: dict[str, float] = {}
    queries: list[int] = []

    def timed(name: str, function, capture: bool = False):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            if capture:
                with CaptureQueriesContext(connection) as captured:
                    result = function(*args, **kwargs)
                queries.append(len(captured.captured_queries))
            else:
                result = function(*args, **kwargs)
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started
            return result
        return wrapper

    # The real build, with its phases timed where it calls them.
    services.bulletin_data = timed("gather", services.bulletin_data, capture=True)
    services.annex_workbook = timed("annex", services.annex_workbook)
    services.bulletin_document = timed("html", services.bulletin_document)
    services.render_pdf = timed("pdf", services.render_pdf)
    # The Word edition starts before the PDF (its charts convert beside the layout) and is
    # finished after it: both calls count, the conversions running meanwhile do not.
    begin_word = services.editions.word_edition_begun

    def word_edition_begun(html):
        return timed("word", timed("word", begin_word)(html))

    services.editions.word_edition_begun = word_edition_begun
    services.editions.phone_edition = timed("phone", services.editions.phone_edition)
    period = previous_month(timezone.localdate())
    committees = JointCommittee.objects.count()
    before = rss_kib()
    started = time.perf_counter()
    bulletin = services.bulletin_request(period=period)
    state = services.bulletin_build(bulletin.pk)
    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    bulletin = Bulletin.objects.get(pk=bulletin.pk)
    if state != Bulletin.State.READY:
        raise SystemExit(f"bulletin not built: {state} {bulletin.last_error}")
    print(json.dumps({
        "committees": committees, "period": f"{period:%Y-%m}", "total": total,
        "gather": seconds["gather"], "annex": seconds["annex"],
        # The build gathers the data once and hands it to the template and the annex.
        "template": seconds["html"], "annex_rows": bulletin.annex_rows,
        "pdf": seconds["pdf"], "editions": seconds["word"] + seconds["phone"],
        "queries": queries[0], "pages": bulletin.page_count,
        "pdf_kib": bulletin.size_bytes / 1024, "peak_mib": peak / 1024,
        "growth_mib": (peak - before) / 1024,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", type=float, default=[1.0, 10.0])
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_URL)
    parser.add_argument("--step", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step()
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-bulletin-") as scratch:
        env = bench_environment(args.postgres, Path(scratch))
        try:
            for scale in args.scales:
                generated = prepare(args.postgres, scale, env)
                done = subprocess.run([sys.executable, __file__, "--step"], cwd=ROOT, env=env,
                                      check=True, stdout=subprocess.PIPE, text=True)
                result = json.loads(done.stdout)
                result.update(scale=scale, generated=generated, load=os.getloadavg()[0])
                results.append(result)
        finally:
            postgres_database(args.postgres, create=False)
    print(f"{'N':>5}{'committees':>11}{'month':>9}{'build s':>9}{'gather s':>10}"
          f"{'template s':>11}{'annex s':>8}{'PDF s':>8}{'Word+phone s':>13}{'queries':>9}"
          f"{'pages':>7}"
          f"{'annex rows':>11}{'peak MiB':>10}"
          f"{'growth MiB':>12}{'load':>6}")
    for r in results:
        print(f"{r['scale']:>5g}{r['committees']:>11}{r['period']:>9}{r['total']:>9.1f}"
              f"{r['gather']:>10.2f}{r['template']:>11.2f}{r['annex']:>8.2f}{r['pdf']:>8.1f}"
              f"{r['editions']:>13.1f}"
              f"{r['queries']:>9}{r['pages']:>7}{r['annex_rows']:>11}{r['peak_mib']:>10.0f}{r['growth_mib']:>12.0f}{r['load']:>6.2f}")
    print("(city generated in " + ", ".join(f"{r['generated']:.0f} s at N={r['scale']:g}"
                                             for r in results) + ")")
    counts = {r["queries"] for r in results}
    assert len(counts) == 1, f"the gathering's queries grow with the city: {counts}"
    print(f"gathering makes {counts.pop()} queries at every scale")


if __name__ == "__main__":
    main()
