"""Benchmark of the main pages on the synthetic city (PostgreSQL), under gunicorn.

Usage: python scripts/bench_pages.py [--scale 10] [--postgres URL] [--workers 3]
                                     [--clients 20] [--requests 400] [--seconds 20]

1. Query counts: for N=1 and for --scale (default 10), a scratch PostgreSQL database (created and
   dropped; default postgres://postgres@127.0.0.1:5432/twinning_bench_scale) gets the synthetic
   city (scripts/synthetic_city.py) and a department user and a town user
   (`twinning.site.accounts.user_create`); in a fresh process the Django test client opens each page
   as each user once (to warm the per-process caches), then counts with CaptureQueriesContext
   the queries of a request that gathers every figure afresh (the `figures` cache emptied, as
   after any change to the data; its time is reported as "fresh ms") and of the next one, which
   finds the figures kept (twinning.shared.kept_figures). The script fails if a count differs
   between the two scales.
2. Latency: on the larger city, gunicorn serves the site with production settings (DEBUG off, a
   throwaway SECRET_KEY, collected static files, HTTPS unset, ALLOWED_HOSTS=127.0.0.1) on a free
   loopback port; --clients threads, each with the user's session cookie, request one page over
   and over until --requests responses or --seconds have passed, whichever comes first. For each
   page: the median and 95th-percentile latency and the requests per second, next to /healthz
   (a trivial view that runs SELECT 1) measured on the same server in the same run.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
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
}
TRIVIAL = ("healthz (trivial)", "/healthz")
USERS = {"department": "bench-department", "town": "bench-town"}
PASSWORD = "Bench-only-password-9"


def step() -> None:
    """In a fresh process on the prepared database: create the users, count each page's queries,
    and print JSON with the counts and a session cookie per user."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from branches.models import Town
    from twinning.committees.models import JointCommittee
    from twinning.shared.models import Role
    from twinning.site.accounts import user_create

    town = Town.objects.order_by("code").first()
    users = {
        "department": user_create(username=USERS["department"], role=Role.DEPARTMENT,
                                  password=PASSWORD),
        "town": user_create(username=USERS["town"], role=Role.TOWN, password=PASSWORD,
                            towns=[town]),
    }
    queries: dict[str, dict[str, int | None]] = {}
    sessions = {}
    for persona, user in users.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
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


def hammer(port: int, path: str, cookie: str | None, clients: int, limit: int,
           seconds: float) -> dict[str, float]:
    """`clients` threads request `path` until `limit` responses or `seconds` have passed."""
    latencies: list[float] = []
    failures: list[str] = []
    sent = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}

    def client() -> None:
        while time.perf_counter() < deadline:
            with lock:
                if sent[0] >= limit:
                    return
                sent[0] += 1
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError as error:
                status = str(error)
            finally:
                connection.close()
            elapsed = time.perf_counter() - started
            with lock:
                (latencies.append(elapsed) if status == 200 else failures.append(str(status)))

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{path}: {len(failures)} failed requests, e.g. {failures[:3]}")
    ordered = sorted(latencies)
    return {"requests": len(ordered), "median_ms": statistics.median(ordered) * 1000,
            "p95_ms": ordered[max(0, round(len(ordered) * 0.95) - 1)] * 1000,
            "rps": len(ordered) / wall}


def serve(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "twinning.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
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
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--step", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step()
        return
    counted: dict[float, dict] = {}
    timings: dict[tuple[str, str], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as scratch:
        env = bench_environment(args.postgres, Path(scratch))
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                       cwd=ROOT, env=env, check=True)
        try:
            for scale in (1.0, args.scale):
                generated = prepare(args.postgres, scale, env)
                done = subprocess.run([sys.executable, __file__, "--step"], cwd=ROOT, env=env,
                                      check=True, stdout=subprocess.PIPE, text=True)
                counted[scale] = json.loads(done.stdout)
                print(f"N={scale:g}: {counted[scale]['committees']} committees, "
                      f"city generated in {generated:.0f} s", flush=True)
            sessions = counted[args.scale]["sessions"]
            server, port = serve(env, args.workers)
            try:
                load = os.getloadavg()
                timings[TRIVIAL] = hammer(port, TRIVIAL[1], None, args.clients, args.requests,
                                          args.seconds)
                for page, path in PAGES.items():
                    for persona in USERS:
                        if counted[args.scale]["queries"][page][persona] is not None:
                            timings[page, persona] = hammer(port, path, sessions[persona],
                                                            args.clients, args.requests,
                                                            args.seconds)
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
        finally:
            postgres_database(args.postgres, create=False)
    report(args, counted, timings, load)


def report(args: argparse.Namespace, counted: dict, timings: dict, load: tuple) -> None:
    small, large = counted[1.0]["queries"], counted[args.scale]["queries"]
    print(f"\ngunicorn, {args.workers} workers, {args.clients} concurrent clients, up to "
          f"{args.requests} requests or {args.seconds:g} s per page; N={args.scale:g} "
          f"({counted[args.scale]['committees']} committees); load average at start "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("queries: gathering every figure afresh / with the figures kept; fresh ms: one such "
          f"request at N={args.scale:g}, in-process")
    print(f"{'page':<20}{'user':<12}{'queries N=1':>12}{f'N={args.scale:g}':>8}{'fresh ms':>10}"
          f"{'requests':>10}{'median ms':>11}{'p95 ms':>9}{'req/s':>8}")
    trivial = {"fresh": 1, "kept": 1, "fresh_ms": None}
    print(_row(TRIVIAL[0], "-", trivial, trivial, timings[TRIVIAL]))
    grown = []
    for page in PAGES:
        for persona in USERS:
            if (page, persona) in timings:
                before, after = small[page][persona], large[page][persona]
                print(_row(page, persona, before, after, timings[page, persona]))
                if (before["fresh"], before["kept"]) != (after["fresh"], after["kept"]):
                    grown.append(f"{page} ({persona})")
    assert not grown, f"query counts grow with the city: {', '.join(grown)}"
    print("query counts are the same at both scales")


def _row(page: str, persona: str, small: dict, large: dict, t: dict[str, float]) -> str:
    def counts(c: dict) -> str:
        return f"{c['fresh']}/{c['kept']}"

    fresh = "-" if large["fresh_ms"] is None else f"{large['fresh_ms']:.0f}"
    return (f"{page:<20}{persona:<12}{counts(small):>12}{counts(large):>8}{fresh:>10}"
            f"{t['requests']:>10}{t['median_ms']:>11.0f}{t['p95_ms']:>9.0f}{t['rps']:>8.1f}")


if __name__ == "__main__":
    main()
