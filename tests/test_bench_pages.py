"""The page benchmark reads wrk's report (scripts/bench_pages.py)."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench_pages.py"
# wrk 4.1's report, with the trailing spaces it writes after each percentile.
REPORT = """Running 15s test @ http://127.0.0.1:37145/
  2 threads and 20 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.92s     1.34s    8.63s    77.30%
    Req/Sec    10.08      7.66    30.00     64.81%
  Latency Distribution
     50%  870.25us\x20
     75%    2.86s\x20
     90%    3.55s\x20
     99%    1.24m\x20
  158 requests in 15.09s, 0.99MB read
Requests/sec:     10.47
Transfer/sec:     67.15KB
"""


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_pages", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_reads_rate_and_percentiles_from_wrk(bench) -> None:
    assert bench.parse_wrk(REPORT) == {"requests": 158, "rps": 10.47,
                                       "p50_ms": pytest.approx(0.87025),
                                       "p99_ms": pytest.approx(74_400.0)}


def test_an_unreadable_report_stops_the_benchmark(bench) -> None:
    with pytest.raises(SystemExit):
        bench.parse_wrk(REPORT.replace("Requests/sec", "Rate"))
