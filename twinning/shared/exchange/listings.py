"""Exports that read as reports: names where the import file holds codes, the figures, Chinese
headers, columns as wide as what they hold, and a title row saying what was exported (the
list's filter) and when. The import format (`services.export_file`) stays for round trips;
a listing is for reading, printing and passing on, and never imports back.

An app describes its register's listing declaratively (columns, the filters its list page
offers, and an optional step that annotates the figures) and registers it with its Kind.
"""

import datetime
import io
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, TextChoices
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from twinning.shared.exchange.files import column_letter, escape_formula

# Widths in spreadsheet characters: a CJK character takes two.
MIN_WIDTH = 6
MAX_WIDTH = 60
MONEY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"
LISTING_CHUNK = 2000


@dataclass(frozen=True)
class ListingColumn:
    """One column of a listing: its header and how a row's value is read. `money`: 元 with
    two decimals and thousands separators; counts and dates are formatted by their type."""

    label: Promise | str
    value: Callable[[Any], Any]
    money: bool = False


@dataclass(frozen=True)
class ListingFilter:
    """A filter of the list page, as the title row names it: its label, and how a value reads
    (a TextChoices' label, a mapping, or a function such as a town code → its name).
    `default`: the value the list applies when the parameter is absent."""

    param: str
    label: Promise | str
    display: type[TextChoices] | Mapping[str, Any] | Callable[[str], Any] | None = None
    default: str = ""

    def describe(self, params: Mapping[str, str]) -> str:
        value = (params.get(self.param) or self.default).strip()
        if not value:
            return ""
        shown: Any = value
        if isinstance(self.display, type) and issubclass(self.display, TextChoices):
            shown = dict(self.display.choices).get(value, value)
        elif isinstance(self.display, Mapping):
            shown = self.display.get(value, value)
        elif callable(self.display):
            shown = self.display(value)
        return f"{self.label}：{shown}"


@dataclass(frozen=True)
class Listing:
    """A register's listing: its title, columns, the list page's filters, and `prepare`,
    which annotates the figures on the list's queryset (a fixed number of queries)."""

    title: Promise | str
    columns: Sequence[ListingColumn]
    filters: Sequence[ListingFilter] = ()
    prepare: Callable[[QuerySet], QuerySet] | None = None

    def describe(self, params: Mapping[str, str]) -> str:
        parts = [part for f in self.filters if (part := f.describe(params))]
        return "；".join(parts) if parts else _("全部")

    def rows(self, queryset: QuerySet) -> Iterable[list[Any]]:
        if self.prepare is not None:
            queryset = self.prepare(queryset)
        for obj in queryset.iterator(chunk_size=LISTING_CHUNK):
            yield [column.value(obj) for column in self.columns]


def display_width(value: Any) -> int:
    """How many spreadsheet characters a value takes: wide (CJK) characters count two."""
    text = _shown(value)
    longest = max((len(line) + sum(unicodedata.east_asian_width(ch) in "WF" for ch in line)
                   for line in text.splitlines() or [""]), default=0)
    return longest


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def listing_file(listing: Listing, queryset: QuerySet, params: Mapping[str, str],
                 *, today: datetime.date) -> bytes:
    """The listing of `queryset` as an XLSX workbook: a title row, a row with the filter, the
    date and the count, then the headers and the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    headers = [str(column.label) for column in listing.columns]
    rows = list(listing.rows(queryset))
    title = str(listing.title)
    subtitle = _("筛选条件：%(filter)s　导出日期：%(date)s　共 %(count)s 条") % {
        "filter": listing.describe(params), "date": today.isoformat(), "count": len(rows)}
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    width = max(len(headers), 1)
    sheet.append([title])
    sheet.append([subtitle])
    sheet.append(headers)
    for row in rows:
        sheet.append([_cell_value(value) for value in row])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for index, column in enumerate(listing.columns):
        letter = column_letter(index)
        values = [row[index] for row in rows]
        fits = max([display_width(headers[index]), *map(display_width, values)])
        sheet.column_dimensions[letter].width = min(max(fits + 2, MIN_WIDTH), MAX_WIDTH)
        wrap = fits + 2 > MAX_WIDTH
        for cell in sheet.iter_rows(min_row=4, min_col=index + 1, max_col=index + 1):
            target = cell[0]
            if column.money:
                target.number_format = MONEY_FORMAT
            elif isinstance(target.value, int):
                target.number_format = COUNT_FORMAT
            elif isinstance(target.value, datetime.date):
                target.number_format = DATE_FORMAT
            if wrap:
                target.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A4"
    if rows:
        sheet.auto_filter.ref = f"A3:{column_letter(width - 1)}{len(rows) + 3}"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal | int | float | datetime.date):
        return value
    return escape_formula(str(value))


def joined(names: Iterable[Any]) -> str:
    """Names as a list reads in Chinese: 北朱解村、王家我乐村."""
    return "、".join(str(name) for name in names)
