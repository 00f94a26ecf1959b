"""Spreadsheet files in and out: CSV (UTF-8, UTF-8 with BOM, GB18030) and XLSX (first sheet).

Reading checks size, type and content before anything else looks at the data, and returns
plain rows with the spreadsheet row number of each, so every later message can name the row a
clerk sees. Writing escapes cells a spreadsheet would run as a formula.
"""

import codecs
import csv
import datetime
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ZIP_MAGIC = b"PK\x03\x04"
# Parts of a workbook below this size are not held to IMPORT_MAX_XLSX_RATIO.
RATIO_FLOOR = 1024 * 1024
# Cells starting with these run as formulas in Excel/WPS (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why, in words a clerk understands."""


@dataclass
class Table:
    """A sheet as read: the header row and the data rows, blank rows left out."""

    headers: list[str]
    rows: list[list[Any]]
    # The spreadsheet row number of each data row (the header is row 1).
    row_numbers: list[int]
    # What the clerk should check before confirming (a guessed encoding).
    notes: list[str] = field(default_factory=list)


def column_letter(index: int) -> str:
    """Spreadsheet column name for a 0-based index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def format_of(name: str) -> str:
    """The format a file name says, or a FileProblem for any other extension."""
    suffix = PurePath(name).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    if suffix == "xls":
        raise FileProblem(_("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV 后再上传。"))
    raise FileProblem(_("只支持 .csv 或 .xlsx 文件。"))


def read_table(name: str, data: bytes) -> Table:
    """The rows of an uploaded CSV or XLSX file, after the checks every import shares.

    Rows are read one at a time and the limits (IMPORT_MAX_ROWS, _COLUMNS, _CELL_CHARS and,
    for a workbook, IMPORT_MAX_UNPACKED_BYTES) are checked as they come, so a hostile file is
    refused before it costs more memory than an honest one of the same limits.
    """
    fmt = format_of(name)
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise FileProblem(
            _("文件超过 %(limit)s MB 的上限，请分成几个文件导入。")
            % {"limit": _megabytes(settings.IMPORT_MAX_BYTES)}
        )
    if not data.strip():
        raise FileProblem(_("文件是空的。"))
    if fmt == "xlsx":
        return _xlsx_table(data)
    encoding, notes = _csv_encoding(data)
    table = _table(_csv_records(data, encoding))
    table.notes = notes
    return table


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def _csv_encoding(data: bytes) -> tuple[str, list[str]]:
    """The encoding a CSV was saved in, and a note for the clerk when it is a guess.

    UTF-8 is certain when it decodes. Otherwise GB18030 decodes almost any bytes, Latin ones
    too ("Müller" saved by a Western Excel reads as "M黮ler"), so the text it gives is judged:
    Chinese in GB18030 is nearly all characters of GB2312, while Western letters paired with
    the next byte make rare ones. Clearly Western text is read as Windows-1252 with a note;
    text that is neither clearly Chinese nor clearly Western is refused.
    """
    if data.startswith(ZIP_MAGIC):
        raise FileProblem(_("文件内容不是CSV（看起来是Excel文件），请把扩展名改为 .xlsx。"))
    if b"\x00" in data:
        raise FileProblem(
            _("文件内容不是CSV文本（可能是二进制文件或UTF-16编码），请另存为“CSV UTF-8”。")
        )
    if _decodes(data, "utf-8-sig"):
        return "utf-8-sig", []
    if not _decodes(data, "gb18030"):
        raise FileProblem(_("无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的CSV。"))
    common, rare = _gb_sample(data)
    if common >= CHINESE_SHARE * (common + rare):
        return "gb18030", []
    if common <= WESTERN_SHARE * (common + rare) and _decodes(data, "cp1252"):
        return "cp1252", [_western_note(data)]
    raise FileProblem(
        _("无法确定文件编码：按中文（GB18030）读出的文字有一部分不像中文，例如「%(sample)s」。"
          "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再上传。")
        % {"sample": _rare_sample(data)}
    )


# Shares of GB2312 characters among the non-ASCII characters GB18030 decodes.
CHINESE_SHARE = 0.9
WESTERN_SHARE = 0.3
SAMPLED_CHARACTERS = 20_000


def _gb_sample(data: bytes) -> tuple[int, int]:
    """(common, rare) among the first non-ASCII characters of the file read as GB18030:
    common ones are in GB2312 (the 6,763 characters and the symbols of everyday text)."""
    common = rare = 0
    decoder = codecs.getincrementaldecoder("gb18030")()
    view = memoryview(data)
    for start in range(0, len(view), DECODE_CHUNK):
        for char in decoder.decode(view[start:start + DECODE_CHUNK]):
            if char.isascii():
                continue
            if _in_gb2312(char):
                common += 1
            else:
                rare += 1
        if common + rare >= SAMPLED_CHARACTERS:
            break
    return common, rare


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _rare_sample(data: bytes) -> str:
    text = data[:DECODE_CHUNK].decode("gb18030", errors="replace")
    for index, char in enumerate(text):
        if not char.isascii() and not _in_gb2312(char):
            return text[max(index - 6, 0):index + 6].strip()
    return ""


def _western_note(data: bytes) -> str:
    sample = ""
    text = data[:DECODE_CHUNK].decode("cp1252", errors="replace")
    for index, char in enumerate(text):
        if not char.isascii():
            sample = text[max(index - 6, 0):index + 6].strip()
            break
    return _("文件不是 UTF-8 编码，看起来是西文编码（Windows-1252/Latin-1），已按西文读取"
             "（例如「%(sample)s」）。请核对下面的内容；如有乱码，请在 Excel 中另存为"
             "“CSV UTF-8（逗号分隔）”后重新上传。") % {"sample": sample}


def _csv_records(data: bytes, encoding: str) -> Iterator[list[Any]]:
    # Decoded as it is parsed: the whole text as one string (and a StringIO's copy of it,
    # four bytes a character) cost 70 MB for a 10 MB file.
    return _csv_rows(io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline=""))


DECODE_CHUNK = 1024 * 1024


def _decodes(data: bytes, encoding: str) -> bool:
    """Whether the whole file decodes, a chunk at a time so no copy of the text is kept."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    try:
        for start in range(0, len(view), DECODE_CHUNK):
            decoder.decode(view[start:start + DECODE_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _csv_rows(text: io.TextIOBase) -> Iterator[list[Any]]:
    try:
        yield from csv.reader(text)
    except csv.Error as error:
        # The csv module stops a cell at its own field limit (131,072) before building it.
        if "field larger than field limit" in str(error):
            limit = min(settings.IMPORT_MAX_CELL_CHARS, csv.field_size_limit())
            raise _cell_too_long(limit) from error
        raise FileProblem(_("无法解析CSV文件：%(error)s") % {"error": error}) from error


def _cell_too_long(limit: int, row: int | None = None) -> FileProblem:
    if row is None:
        return FileProblem(
            _("有单元格超过 %(limit)s 个字符的上限，请检查文件。") % {"limit": limit})
    return FileProblem(
        _("第%(row)s行有单元格超过 %(limit)s 个字符的上限，请检查文件。")
        % {"row": row, "limit": limit})


def _xlsx_table(data: bytes) -> Table:
    import openpyxl

    if not data.startswith(ZIP_MAGIC):
        raise FileProblem(_("文件内容不是有效的 .xlsx 文件。"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # The sizes the zip declares bound what reading may unpack (zipfile stops at the
            # declared size), so the sum is checked before a byte is decompressed.
            parts = archive.infolist()
    except zipfile.BadZipFile as error:
        raise FileProblem(_("文件内容不是有效的 .xlsx 文件。")) from error
    unpacked = sum(info.file_size for info in parts)
    limit = settings.IMPORT_MAX_UNPACKED_BYTES
    if unpacked > limit:
        raise FileProblem(
            _("文件解压后有 %(size)s MB，超过 %(limit)s MB 的上限，无法导入；"
              "请删除多余的工作表、格式和空行，或分成几个文件导入。")
            % {"size": _megabytes(unpacked), "limit": _megabytes(limit)}
        )
    ratio = settings.IMPORT_MAX_XLSX_RATIO
    for info in parts:
        # Small parts (styles, themes) pack unevenly and cost nothing; a large one that
        # packs far better than any real sheet is repeated filler.
        if info.file_size > RATIO_FLOOR and info.file_size > ratio * max(info.compress_size, 1):
            raise FileProblem(
                _("文件中的“%(part)s”解压后是压缩时的 %(times)s 倍（上限 %(limit)s 倍），"
                  "不像正常的表格，无法导入。")
                % {"part": info.filename, "times": info.file_size // max(info.compress_size, 1),
                   "limit": ratio}
            )
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it ignores (data validation, styles).
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                # One column past the limit shows whether the sheet is too wide; cells
                # further right of a formatted sheet are never built.
                rows = sheet.iter_rows(
                    max_col=settings.IMPORT_MAX_COLUMNS + 1, values_only=True)
                return _table(rows)
            finally:
                book.close()
    except FileProblem:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise FileProblem(_("无法读取 .xlsx 文件，文件可能已损坏。")) from error


def _cell(value: Any) -> Any:
    """A cell as text, or as a date where the spreadsheet holds a date."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date() if value.time() == datetime.time(0) else value
    if isinstance(value, datetime.date | datetime.time):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        # Codes and phone numbers that Excel turned into numbers: 370782001.0 → "370782001".
        return str(int(value))
    return str(value).strip()


def _table(records: Iterable[Sequence[Any]]) -> Table:
    """The header and data rows, stopping at the first record past a limit."""
    headers: list[str] | None = None
    rows: list[list[Any]] = []
    numbers: list[int] = []
    max_rows = settings.IMPORT_MAX_ROWS
    max_columns = settings.IMPORT_MAX_COLUMNS
    max_chars = settings.IMPORT_MAX_CELL_CHARS
    for number, record in enumerate(records, start=1):
        if number > max_rows + 1:
            raise FileProblem(
                _("数据行超过上限 %(limit)s 行，请分成几个文件导入。") % {"limit": max_rows}
            )
        if len(record) > max_columns and any(
            value not in (None, "") for value in record[max_columns:]
        ):
            raise FileProblem(
                _("第%(row)s行超过 %(limit)s 列的上限，请检查文件。")
                % {"row": number, "limit": max_columns}
            )
        cells = [_cell(value) for value in record[:max_columns]]
        if any(isinstance(cell, str) and len(cell) > max_chars for cell in cells):
            raise _cell_too_long(max_chars, number)
        if headers is None:
            if not any(cells):
                raise FileProblem(_("第1行应为表头（列名），但它是空的。"))
            headers = [str(cell) for cell in cells]
            while headers and headers[-1] == "":
                headers.pop()
            continue
        if not any(cell != "" for cell in cells):
            continue
        rows.append(cells)
        numbers.append(number)
    if headers is None:
        raise FileProblem(_("文件是空的。"))
    if not rows:
        raise FileProblem(_("文件只有表头，没有数据行。"))
    width = len(headers)
    for row, number in zip(rows, numbers, strict=True):
        if any(cell != "" for cell in row[width:]):
            raise FileProblem(_("第%(row)s行的数据超出了表头的列数。") % {"row": number})
        row[:] = (row + [""] * width)[:width]
    return Table(headers=headers, rows=rows, row_numbers=numbers)


def normalise_header(text: str) -> str:
    """A header as compared: full-width letters folded, spaces dropped, keys lower-case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def escape_formula(value: Any) -> Any:
    """Prefix one quote to text a spreadsheet would run; `unescape_formula` undoes exactly it.

    Text that already starts with quotes before such a character gets one more, so a value
    that really begins with a quote survives the round trip too.
    """
    if isinstance(value, str) and (value.startswith(FORMULA_START) or _ESCAPED.match(value)):
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    return value[1:] if _ESCAPED.match(value) else value


def write_table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str, title: str
) -> bytes:
    """A CSV (UTF-8 with BOM, so Excel opens it) or an XLSX file of these rows."""
    cells = ([escape_formula(value) for value in row] for row in rows)
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(cells)
        return out.getvalue().encode("utf-8-sig")
    return _write_xlsx(headers, cells, title)


def bold_row(sheet: Any, values: Sequence[Any]) -> list[Any]:
    """A write-only sheet's row of bold cells (a header row): append it to `sheet`."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _write_xlsx(headers: Sequence[str], rows: Iterable[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for index, header in enumerate(headers):
        sheet.column_dimensions[column_letter(index)].width = max(12, len(header) * 3)
    sheet.freeze_panes = "A2"
    sheet.append(bold_row(sheet, headers))
    for row in rows:
        # Plain strings: a code or phone number stays text when the clerk edits the sheet.
        sheet.append(["" if value is None else str(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
