"""Building spreadsheet files in tests, and counting what an import wrote."""

import csv
import io
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from openpyxl import Workbook, load_workbook

Rows = Sequence[Sequence[Any]]
# The header of an aid-project file (DESIGN §5), in key form.
AID = ["committee", "title", "category", "funder", "investment_yuan", "jobs", "households",
       "status", "started_on", "finished_on"]


def csv_bytes(rows: Rows, encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: Rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV exports carry a BOM so Excel reads UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def history_rows() -> int:
    """Rows in every audit-trail table: an import that changes nothing adds none."""
    return sum(
        model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
    )


def problems(report: Any) -> list[tuple[int | None, str, str]]:
    """A report's problems as (row, column letter, message)."""
    return [(p.row, p.letter, p.message) for p in report.problems]
