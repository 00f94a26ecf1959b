"""Benchmark of the spreadsheet import: 10,000 members and 1,000 committees with their villages.

Usage: python scripts/bench_import.py [--members N] [--committees N] [--postgres URL]

Generates the files (towns, the branches the committees and members need, members as CSV,
committees as XLSX, one monthly update and one aid project per committee), then imports them
in order through the same machinery as the staff page and `import_data`
(`twinning.shared.exchange.import_file`: check every row, then write in one transaction) into a
scratch database: an SQLite file in a temporary directory and, with --postgres, a PostgreSQL
database that is created and dropped (e.g. postgres://postgres@127.0.0.1:5432/twinning_bench7).
Each import runs in a fresh process, so its time and peak memory (peak resident set size, and
its growth over the process before the import) are its own. Each file is then imported a
second time, which must change nothing.
"""

import argparse
import csv
import datetime
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_city import postgres_database  # noqa: E402

KINDS = ("towns", "branches", "members", "committees", "monthly_updates", "aid_projects")
TOWNS = 20


def generate(directory: Path, members: int, committees: int, seed: int = 7) -> dict[str, Path]:
    """The files of every kind, deterministic from the seed."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    towns = [(f"B{n:03d}", f"基准{n}镇", "镇") for n in range(1, TOWNS + 1)]
    branches, committee_rows = [], []
    village_number = 0
    for number in range(1, committees + 1):
        town = towns[number % TOWNS][0]
        urban_kind = ("居委会", "企业", "部门")[number % 3]
        urban = f"U{number:05d}"
        branches.append([urban, f"基准{number}{urban_kind}", urban_kind,
                         town if urban_kind == "居委会" else "", f"书记{number}", "商贸", "否"])
        codes = []
        for _ in range(rng.randint(2, 4)):
            village_number += 1
            code = f"{town}-V{village_number:05d}"
            branches.append([code, f"基准{village_number}村", "村", town, f"村书记{village_number}",
                             "蔬菜种植;劳务输出", "是"])
            codes.append(code)
        committee_rows.append([f"BJ{number:05d}", f"基准{number}联合党总支", urban, ";".join(codes),
                               rng.choice(("定对", "结对")), "2024-03-01"])
    branch_codes = [row[0] for row in branches]
    member_rows = []
    for number in range(members):
        joined = datetime.date(1980, 1, 1) + datetime.timedelta(days=rng.randrange(15000))
        member_rows.append([branch_codes[number % len(branch_codes)], f"党员{number:05d}",
                            rng.choice(("党员", "党员", "党员", "委员", "副书记")),
                            joined.isoformat(), f"138{number:08d}"])
    files = {
        "towns": _csv(directory / "towns.csv", ["编码", "名称", "类型"], towns),
        "branches": _csv(directory / "branches.csv",
                         ["编码", "名称", "类型", "所在镇街", "书记", "产业", "薄弱村"], branches),
        "members": _csv(directory / "members.csv",
                        ["所在党组织", "姓名", "职务", "入党日期", "联系电话"], member_rows),
    }
    book = Workbook(write_only=True)
    sheet = book.create_sheet("联合党组织")
    sheet.append(["编码", "名称", "城市党组织", "联建村", "结对方式", "成立日期"])
    for row in committee_rows:
        sheet.append(row)
    files["committees"] = directory / "committees.xlsx"
    book.save(files["committees"])
    codes = [(row[0], row[2]) for row in committee_rows]
    files["monthly_updates"] = _csv(
        directory / "monthly_updates.csv",
        ["联合党组织", "月份", "召开联合党组织会议", "联谊活动（次）", "本月投入资金（元）",
         "工作小结", "报送日期"],
        [[code, "2025-03", "是", rng.randint(0, 4), f"{rng.randint(0, 90000)}.00",
          "召开联席会议一次，走访困难群众。", f"2025-04-{rng.randint(1, 9):02d}"]
         for code, _urban in codes],
    )
    files["aid_projects"] = _csv(
        directory / "aid_projects.csv",
        ["联合党组织", "项目名称", "类别", "出资方", "实际投资（元）", "新增就业（人）", "受益户数",
         "状态", "开工日期"],
        [[code, "基准产业项目", "产业", urban, f"{rng.randint(1, 900) * 1000}.00",
          rng.randint(0, 20), rng.randint(5, 200), "进行中", "2025-01-01"]
         for code, urban in codes],
    )
    return files


def _csv(path: Path, header: list[str], rows: list[list]) -> Path:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    return path


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def step(kind: str, path: str) -> None:
    """In a fresh process: import one file and print what it took, as JSON."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from twinning.shared.exchange import import_file

    data = Path(path).read_bytes()
    before = _rss_kib()
    started = time.perf_counter()
    report = import_file(kind, Path(path).name, data, user=None, dry_run=False)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if not report.ok:
        for problem in report.problems[:10]:
            print(problem, file=sys.stderr)
        raise SystemExit(f"{kind}: {len(report.problems)} problems")
    print(json.dumps({
        "kind": kind, "rows": report.rows, "created": report.created,
        "changed": report.changed, "unchanged": report.unchanged, "seconds": elapsed,
        "peak_mib": peak / 1024, "growth_mib": (peak - before) / 1024,
    }))


def run(label: str, env: dict[str, str], files: dict[str, Path]) -> list[dict]:
    def manage(*args: str) -> str:
        done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True,
                              capture_output=True, text=True)
        return done.stdout

    manage("manage.py", "migrate", "-v0")
    results = []
    for rerun in (False, True):
        for kind in KINDS:
            result = json.loads(manage(__file__, "--step", kind, str(files[kind])))
            result["again"] = rerun
            results.append(result)
    print(f"\n{label}")
    print(f"{'file':<30}{'rows':>7}{'new':>7}{'changed':>9}{'same':>7}{'seconds':>9}"
          f"{'peak MiB':>10}{'growth MiB':>12}")
    for r in results:
        name = files[r["kind"]].name + (" (again)" if r["again"] else "")
        print(f"{name:<30}{r['rows']:>7}{r['created']:>7}{r['changed']:>9}{r['unchanged']:>7}"
              f"{r['seconds']:>9.1f}{r['peak_mib']:>10.0f}{r['growth_mib']:>12.0f}")
    first = [r for r in results if not r["again"]]
    print(f"{'all files':<30}{sum(r['rows'] for r in first):>7}"
          f"{'':>23}{sum(r['seconds'] for r in first):>9.1f}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--committees", type=int, default=1_000)
    parser.add_argument("--postgres", metavar="URL", help="also run on this scratch database")
    parser.add_argument("--step", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step(*args.step)
        return
    with tempfile.TemporaryDirectory(prefix="bench-import-") as scratch:
        directory = Path(scratch)
        files = generate(directory, args.members, args.committees)
        print(f"{args.members} members, {args.committees} committees; files in {directory}:")
        for path in files.values():
            print(f"  {path.name}: {path.stat().st_size / 1024:.0f} KiB")
        base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        base.update(DJANGO_SETTINGS_MODULE="twinning.settings", SECRET_KEY="bench-only-not-secret",
                    IMPORT_TEMP_DIR=str(directory / "uploads"), LOG_LEVEL="WARNING")
        run("SQLite", {**base, "SQLITE_PATH": str(directory / "bench.sqlite3")}, files)
        if args.postgres:
            postgres_database(args.postgres, create=True)
            try:
                run("PostgreSQL", {**base, "DATABASE_URL": args.postgres}, files)
            finally:
                postgres_database(args.postgres, create=False)


if __name__ == "__main__":
    main()
