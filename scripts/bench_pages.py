"""Benchmark of the main pages on the synthetic city (PostgreSQL), under gunicorn, with wrk.

Usage: python scripts/bench_pages.py [--scale 10] [--postgres URL] [--workers 3]
                                     [--threads 2] [--connections 20] [--seconds 15]
                                     [--warmup 3] [--reuse]

1. Query counts: for N=1 and for --scale (default 10), a scratch PostgreSQL database (created and
   dropped; default postgres://postgres@127.0.0.1:5432/twinning_bench_scale) gets the synthetic
   city (scripts/synthetic_city.py) and a department user and a town user
   (`twinning.site.accounts.user_create`; the department's session has passed its second factor,
   as after a real sign-in); in a fresh process the Django test client opens each page
   as each user once (to warm the per-process caches), then counts with CaptureQueriesContext
   the queries of a request that gathers every figure afresh (the `figures` cache emptied, as
   after any change to the data; its time is reported as "fresh ms") and of the next one, which
   finds the page kept (twinning.shared.kept_pages, on the kept figures and fragments of
   twinning.shared.kept_figures). The script fails if a count differs between the two scales.
2. Throughput: on the larger city, gunicorn serves the site with production settings (DEBUG off,
   a throwaway SECRET_KEY, collected static files, HTTPS unset, ALLOWED_HOSTS=127.0.0.1) on a
   free loopback port, and wrk (Debian's `wrk`, a C load generator: scripts/install-system-deps.sh)
   requests each page with the user's session cookie from --threads threads over --connections
   connections for --seconds, after --warmup seconds (default 3) of the same load left unmeasured,
   so that every worker has gathered what it keeps (that first request's cost is "fresh ms"). For
   each page: requests per second, the 50th and 99th percentile
   latency (wrk --latency) and the ratio of its requests per second to /healthz's (a trivial view
   that runs SELECT 1) measured on the same server in the same run. Each page is first fetched
   once and must answer 200 (not a redirect to the login page), and wrk must report no errors and
   no non-2xx/3xx answer. The load average is printed before each measurement.

--reuse takes the database --postgres names as already holding the city at --scale (from an
earlier `python scripts/synthetic_city.py N` into it): it is migrated, nothing is built or
dropped and the N=1 counts are skipped, for measuring again while changing a page.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_city import bench_environment, postgres_database, prepare  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/twinning_bench_scale"
PAGES = {
    "home": "/",
    "committee list": "/committees/",
    "completeness": "/monthly/completeness/",
    "dashboard": "/dashboard/",
    "outcomes": "/outcomes/",
    "review queue": "/monthly/queue/",
    "bulletin list": "/bulletins/",
}
TRIVIAL = ("healthz (trivial)", "/healthz")
USERS = {"department": "bench-department", "town": "bench-town"}
PASSWORD = "Bench-only-password-9"
TARGET_RATIO = 0.10  # every page at least a tenth of the trivial view's requests per second
TARGET_P99_MS = 500


def step() -> None:
    """In a fresh process on the prepared database: create the users (or find them), count each
    page's queries, and print JSON with the counts and a session cookie per user."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from branches.models import Town
    from tests.conftest import pass_second_factor
    from twinning.committees.models import JointCommittee
    from twinning.shared import permissions
    from twinning.shared.models import Role
    from twinning.site.accounts import user_create

    town = Town.objects.order_by("code").first()
    wanted = {"department": {"role": Role.DEPARTMENT}, "town": {"role": Role.TOWN, "towns": [town]}}
    users = {}
    for persona, reach in wanted.items():
        found = User.objects.filter(username=USERS[persona]).first()
        users[persona] = found or user_create(username=USERS[persona], password=PASSWORD, **reach)
    queries: dict[str, dict[str, dict | None]] = {}
    sessions = {}
    for persona, user in users.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        if permissions.can(user, "need_second_factor"):
            # As after signing in with the code: the department's pages open only then.
            pass_second_factor(client, user)
        sessions[persona] = client.cookies["sessionid"].value
        for page, path in PAGES.items():
            response = client.get(path)
            if persona != "department" and response.status_code in (403, 404):
                queries.setdefault(page, {})[persona] = None  # not this persona's page
                continue
            caches["figures"].clear()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as fresh:
                response = client.get(path)
            fresh_ms = (time.perf_counter() - started) * 1000
            with CaptureQueriesContext(connection) as kept:
                again = client.get(path)
            if (response.status_code, again.status_code) != (200, 200):
                raise SystemExit(f"{path} as {persona}: HTTP {response.status_code}")
            queries.setdefault(page, {})[persona] = {
                "fresh": len(fresh.captured_queries), "kept": len(kept.captured_queries),
                "fresh_ms": fresh_ms}
    print(json.dumps({"committees": JointCommittee.objects.count(), "queries": queries,
                      "sessions": sessions}))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fetch(port: int, path: str, cookie: str | None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict[str, float]:
    """Requests per second, p50 and p99 (ms) and the request count from `wrk --latency`."""
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    requests = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    if not (requests and rps and {"50", "99"} <= percentiles.keys()):
        raise SystemExit(f"could not read wrk's report:\n{output}")
    return {"requests": int(requests.group(1)), "rps": float(rps.group(1)),
            "p50_ms": _ms(percentiles["50"]), "p99_ms": _ms(percentiles["99"])}


def hammer(port: int, path: str, cookie: str | None, args: argparse.Namespace) -> dict[str, float]:
    """wrk on `path` for --seconds; fails on a first answer other than 200 or any wrk error."""
    status = _fetch(port, path, cookie)
    if status != 200:
        raise SystemExit(f"{path}: HTTP {status} before the measurement")
    command = [args.wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds:g}s",
               "--latency", "--timeout", "30s"]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    url = f"http://127.0.0.1:{port}{path}"
    if args.warmup:
        # Unmeasured: every worker gathers and renders what it keeps before the measurement
        # (the cost of that first request is the "fresh ms" column).
        warm = [*command[:3], f"-d{args.warmup:g}s", *command[4:], url]
        subprocess.run(warm, check=True, stdout=subprocess.DEVNULL)
    load = os.getloadavg()[0]
    done = subprocess.run([*command, url], check=True, stdout=subprocess.PIPE, text=True)
    trouble = re.search(r"^\s+(Socket errors:.*|Non-2xx or 3xx responses:.*)$", done.stdout,
                        re.MULTILINE)
    if trouble:
        raise SystemExit(f"{path}: {trouble.group(1)}")
    return {**parse_wrk(done.stdout), "load": load}


def serve(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "twinning.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            if _fetch(port, "/healthz", None) == 200:
                return server, port
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_URL)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0,
                        help="seconds of unmeasured load on each page first")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the city already in --postgres; build and drop nothing")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    parser.add_argument("--step", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step()
        return
    if not shutil.which(args.wrk):
        raise SystemExit("wrk is not installed: run scripts/install-system-deps.sh")
    print(f"load average at start {_load()}", flush=True)
    counted: dict[float, dict] = {}
    timings: dict[tuple[str, str], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as scratch:
        env = bench_environment(args.postgres, Path(scratch))
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                       cwd=ROOT, env=env, check=True)
        try:
            for scale in (args.scale,) if args.reuse else (1.0, args.scale):
                generated = None if args.reuse else prepare(args.postgres, scale, env)
                if args.reuse:  # a city built before the last migrations: bring it up to date
                    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT,
                                   env=env, check=True)
                done = subprocess.run([sys.executable, __file__, "--step"], cwd=ROOT, env=env,
                                      check=True, stdout=subprocess.PIPE, text=True)
                counted[scale] = json.loads(done.stdout)
                built = "reused" if generated is None else f"generated in {generated:.0f} s"
                print(f"N={scale:g}: {counted[scale]['committees']} committees, city {built}",
                      flush=True)
            sessions = counted[args.scale]["sessions"]
            server, port = serve(env, args.workers)
            try:
                timings[TRIVIAL] = hammer(port, TRIVIAL[1], None, args)
                for page, path in PAGES.items():
                    for persona in USERS:
                        if counted[args.scale]["queries"][page][persona] is not None:
                            timings[page, persona] = hammer(port, path, sessions[persona], args)
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
        finally:
            if not args.reuse:
                postgres_database(args.postgres, create=False)
    report(args, counted, timings)


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def report(args: argparse.Namespace, counted: dict, timings: dict) -> None:
    large = counted[args.scale]["queries"]
    small = counted.get(1.0, counted[args.scale])["queries"]
    trivial_rps = timings[TRIVIAL]["rps"]
    print(f"\ngunicorn, {args.workers} workers; wrk, {args.threads} threads, {args.connections} "
          f"connections, {args.seconds:g} s per page after {args.warmup:g} s of warm-up; "
          f"N={args.scale:g} "
          f"({counted[args.scale]['committees']} committees); load average at the end {_load()}")
    print("queries: gathering every figure afresh / with the figures kept; fresh ms: one such "
          f"request at N={args.scale:g}, in-process; load: 1-minute load average before the page")
    print(f"{'page':<20}{'user':<12}{'queries N=1':>12}{f'N={args.scale:g}':>8}{'fresh ms':>10}"
          f"{'requests':>10}{'req/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'ratio':>8}{'load':>6}")
    trivial = {"fresh": 1, "kept": 1, "fresh_ms": None}
    print(_row(TRIVIAL[0], "-", trivial, trivial, timings[TRIVIAL], trivial_rps))
    grown, short = [], []
    for page in PAGES:
        for persona in USERS:
            if (page, persona) in timings:
                before, after = small[page][persona], large[page][persona]
                t = timings[page, persona]
                print(_row(page, persona, before, after, t, trivial_rps))
                if (before["fresh"], before["kept"]) != (after["fresh"], after["kept"]):
                    grown.append(f"{page} ({persona})")
                if t["rps"] < TARGET_RATIO * trivial_rps or t["p99_ms"] >= TARGET_P99_MS:
                    short.append(f"{page} ({persona})")
    if args.reuse:
        print("query counts at N=1 not measured (--reuse)")
    else:
        assert not grown, f"query counts grow with the city: {', '.join(grown)}"
        print("query counts are the same at both scales")
    print(f"below {TARGET_RATIO:.0%} of /healthz or p99 over {TARGET_P99_MS} ms: "
          + (", ".join(short) if short else "none"))


def _row(page: str, persona: str, small: dict, large: dict, t: dict[str, float],
         trivial_rps: float) -> str:
    def counts(c: dict) -> str:
        return f"{c['fresh']}/{c['kept']}"

    fresh = "-" if large["fresh_ms"] is None else f"{large['fresh_ms']:.0f}"
    return (f"{page:<20}{persona:<12}{counts(small):>12}{counts(large):>8}{fresh:>10}"
            f"{t['requests']:>10}{t['rps']:>9.1f}{t['p50_ms']:>8.0f}{t['p99_ms']:>8.0f}"
            f"{t['rps'] / trivial_rps:>8.1%}{t['load']:>6.2f}")


if __name__ == "__main__":
    main()
