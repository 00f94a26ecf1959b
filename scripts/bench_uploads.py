"""Benchmark of hostile uploads: how fast and how cheaply the import refuses them.

Usage: python scripts/bench_uploads.py

Builds two hostile files — an .xlsx of about 250 KB whose sheet unpacks to about 100 MB, and a
10 MB CSV of 5 million one-character rows — and two honest references of 1,000 branch rows
(CSV and XLSX). Each file goes through the web upload's path (`twinning.shared.exchange.import_file`
with `dry_run=True`, as the import page's check calls it) in a fresh process against a scratch
SQLite database, which prints the seconds until the answer and the growth of the process's peak
resident set size (RSS) over the process before the call. Targets: a hostile file is refused in
under 2 s with under 50 MB of growth. The last columns are the ratios to the honest CSV.
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNPACKED = 100 * 1024 * 1024
TINY_ROWS = 5_000_000
REFERENCE_ROWS = 1_000
TARGET_SECONDS = 2.0
TARGET_GROWTH_MIB = 50.0


def _reference_rows() -> list[list[str]]:
    # Enterprises need no town, so the scratch database needs nothing else.
    return [["编码", "名称", "类型", "所在镇街", "薄弱村"],
            *([f"BE-{n:05d}", f"基准{n}企业", "企业", "", ""] for n in range(REFERENCE_ROWS))]


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bomb_xlsx(unpacked: int = UNPACKED) -> bytes:
    """A valid workbook whose first sheet repeats a block of rows to `unpacked` bytes of XML.

    Blocks fit deflate's 32 KB window, so they pack to almost nothing; a numbered row every
    fourth block keeps the file near the 250 KB of the reported attack."""
    cell = '<c t="inlineStr"><is><t>重复内容</t></is></c>'
    block = (("<row>" + cell * 9 + "</row>") * 60).encode()
    template = zipfile.ZipFile(io.BytesIO(_xlsx([["编码", "名称"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in template.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, template.read(info))
                continue
            with archive.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://'
                            b'schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                written, number = 0, 0
                while written < unpacked:
                    number += 1
                    if number % 4 == 0:
                        sheet.write(f"<row>{cell.replace('重复内容', f'V-{number}')}</row>"
                                    .encode())
                    sheet.write(block)
                    written += len(block)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def tiny_csv() -> bytes:
    """Ten million bytes of one-character rows under a header."""
    return "编码\n".encode() + b"1\n" * TINY_ROWS


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def step(path: str) -> None:
    """In a fresh process: check one file as the import page does, print what it took."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from twinning.shared.exchange import import_file

    data = Path(path).read_bytes()
    before = _rss_kib()
    started = time.perf_counter()
    report = import_file("branches", Path(path).name, data, user=None, dry_run=True)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "rows": report.rows, "ok": report.ok, "seconds": elapsed,
        "growth_mib": max(peak - before, 0) / 1024,
        "answer": str(report.problems[0].message) if report.problems else "",
    }, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step(args.step)
        return
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as scratch:
        directory = Path(scratch)
        reference = _reference_rows()
        files = {
            "reference.csv": "\n".join(",".join(r) for r in reference).encode(),
            "reference.xlsx": _xlsx(reference),
            "bomb.xlsx": bomb_xlsx(),
            # Just under IMPORT_MAX_UNPACKED_BYTES: parsed, and stopped by the row limit.
            "bomb-60mb.xlsx": bomb_xlsx(60 * 1024 * 1024),
            "tiny-rows.csv": tiny_csv(),
        }
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(DJANGO_SETTINGS_MODULE="twinning.settings", SECRET_KEY="bench-only-not-secret",
                   SQLITE_PATH=str(directory / "bench.sqlite3"), LOG_LEVEL="ERROR",
                   IMPORT_TEMP_DIR=str(directory / "uploads"))
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                       check=True)
        results = {}
        for name, data in files.items():
            path = directory / name
            path.write_bytes(data)
            done = subprocess.run([sys.executable, __file__, "--step", str(path)], cwd=ROOT,
                                  env=env, check=True, capture_output=True, text=True)
            results[name] = json.loads(done.stdout)
        if not (results["reference.csv"]["ok"] and results["reference.xlsx"]["ok"]):
            raise SystemExit("the honest reference files were refused")
        base = results["reference.csv"]
        print(f"{'file':<16}{'size KiB':>10}{'unpacked MiB':>14}{'seconds':>9}"
              f"{'growth MiB':>12}{'× time':>8}{'× growth':>10}  answer")
        failed = False
        for name, r in results.items():
            data = files[name]
            unpacked = (sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
                        if name.endswith(".xlsx") else len(data))
            hostile = not name.startswith("reference")
            within = r["seconds"] < TARGET_SECONDS and r["growth_mib"] < TARGET_GROWTH_MIB
            failed |= hostile and (r["ok"] or not within)
            answer = r["answer"] or f"{r['rows']} rows checked"
            print(f"{name:<16}{len(data) / 1024:>10.0f}{unpacked / 1024 / 1024:>14.1f}"
                  f"{r['seconds']:>9.2f}{r['growth_mib']:>12.1f}"
                  f"{r['seconds'] / base['seconds']:>8.1f}"
                  f"{r['growth_mib'] / max(base['growth_mib'], 0.1):>10.1f}  {answer}")
        print(f"targets for hostile files: refused, under {TARGET_SECONDS:.0f} s, "
              f"under {TARGET_GROWTH_MIB:.0f} MiB growth: {'missed' if failed else 'met'}")
        if failed:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
