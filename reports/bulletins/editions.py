"""The bulletin's Word (.docx) and phone editions, made in the same build as the PDF.

Neither has text of its own. The Word edition is the PDF's HTML document read back element
by element (headings, paragraphs, tables, figure boxes, charts), so whatever the PDF's
template and its sections print, the .docx prints too. The phone edition renders the same
section templates from the same data, with Chart.js canvases in place of the SVG charts.
"""

import io
import logging
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import tinyhtml5
from django.template.loader import render_to_string
from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table

logger = logging.getLogger(__name__)

XHTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
XMLNS = "{http://www.w3.org/2000/xmlns/}"
RED = RGBColor(0xC8, 0x16, 0x1D)
# The faces an office's Word has (GB/T 9704): Word falls back on its own when one is missing.
BODY_FACE, TITLE_FACE = "仿宋_GB2312", "方正小标宋简体"
HEADING_FACE, SUBHEADING_FACE = "黑体", "楷体_GB2312"
BODY_SIZE, TABLE_SIZE = Pt(16), Pt(10.5)  # 三号 body, 五号 tables
SKIPPED = {"head", "style", "script", "nav", "template"}

ET.register_namespace("", SVG[1:-1])


def phone_edition(context: dict[str, Any]) -> bytes:
    """The sections as an HTML fragment for the bulletin page, from the context the PDF's
    template reads (`services.bulletin_context`, its charts drawn by Chart.js)."""
    return render_to_string("reports/bulletins/bulletin_web.html", context).encode()


def word_edition_begun(html: str) -> Callable[[], bytes]:
    """Start the Word edition of `html` (A4, the document's faces and sizes): the PDF's HTML
    document as a Word file. Returns the call that finishes it.

    The charts are converted to PNG by `rsvg-convert` processes that run beside whatever the
    caller does next (the PDF's layout), so a build waits for them only if they are slower.
    """
    root = tinyhtml5.parse(html)
    body = root.find(f"{XHTML}body")
    svgs = list(body.iter(f"{SVG}svg"))
    tool = shutil.which("rsvg-convert")
    if svgs and tool is None:
        logger.warning("rsvg-convert not found: the Word edition has no chart images")
    pool = ThreadPoolExecutor(max_workers=4)
    pngs = [pool.submit(_png, tool, svg) for svg in svgs] if tool else []
    pool.shutdown(wait=False)

    def finish() -> bytes:
        # No PNG at all without rsvg-convert: then the charts are left out.
        writer = _Writer({id(svg): png.result() for svg, png in zip(svgs, pngs, strict=False)})
        writer.block(body)
        out = io.BytesIO()
        writer.doc.save(out)
        return out.getvalue()

    return finish


def _png(tool: str, svg: ET.Element) -> bytes:
    for element in svg.iter():
        # The HTML parser keeps `xmlns` as an attribute in the xmlns namespace, which XML
        # forbids; the namespace itself is in the element names.
        for key in [k for k in element.attrib if k.startswith(XMLNS)]:
            del element.attrib[key]
    done = subprocess.run(
        [tool, "--format=png", "--zoom=2", "--background-color=white"],
        input=ET.tostring(svg, encoding="utf-8"), capture_output=True, timeout=60,
    )
    if done.returncode:
        raise RuntimeError(f"rsvg-convert: {done.stderr.decode(errors='replace')[:500]}")
    return done.stdout


def _tag(element: ET.Element) -> str:
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def _classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def _text(element: ET.Element) -> str:
    """An element's text as printed: <br> breaks a line, whitespace runs collapse."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if _tag(child) == "br":
            parts.append("\n")
        elif _tag(child) not in SKIPPED and child.tag.startswith(XHTML):
            parts.append(_text(child))
        parts.append(child.tail or "")
    lines = "".join(parts).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()


@dataclass
class _Cell:
    text: str
    header: bool
    number: bool
    rowspan: int
    colspan: int


class _Writer:
    def __init__(self, images: dict[int, bytes]) -> None:
        self.images = images
        self.doc = Document()
        self.centred = False
        self._page_setup()

    def _page_setup(self) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        normal = self.doc.styles["Normal"]
        _face(normal.font, normal.element, BODY_FACE, BODY_SIZE)
        normal.paragraph_format.space_after = Pt(0)
        for name, face in (("Heading 1", HEADING_FACE), ("Heading 2", SUBHEADING_FACE),
                           ("Title", TITLE_FACE)):
            style = self.doc.styles[name]
            _face(style.font, style.element, face, Pt(22) if name == "Title" else BODY_SIZE)
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.font.bold = name != "Heading 2"
            style.paragraph_format.space_before = Pt(6)
            style.paragraph_format.space_after = Pt(6)
        # No number on the cover, as in the PDF.
        section.different_first_page_header_footer = True
        _page_number(section.footer.paragraphs[0])

    def block(self, element: ET.Element) -> None:
        for child in element:
            self.element(child)

    def element(self, element: ET.Element) -> None:  # noqa: C901 - one branch per element kind
        if not isinstance(element.tag, str):  # a comment or processing instruction
            return
        tag, classes = _tag(element), _classes(element)
        if tag in SKIPPED or not element.tag.startswith(XHTML):
            return
        if tag == "h1":
            self.paragraph(_text(element), style="Title", align=WD_ALIGN_PARAGRAPH.CENTER)
        elif tag == "h2":
            self.doc.add_heading(_text(element), level=1)
        elif tag in ("h3", "h4"):
            self.doc.add_heading(_text(element), level=2)
        elif tag == "p":
            self.body_paragraph(element, classes)
        elif tag == "hr":
            _red_rule(self.doc.add_paragraph())
        elif tag in ("ol", "ul"):
            for item in element:
                if _tag(item) == "li":
                    self.paragraph(_text(item))
        elif tag == "table":
            self.table(element)
        elif "figures" in classes:
            self.figures(element)
        elif element.find(f".//{SVG}svg") is not None and element.find(f".//{XHTML}p") is None:
            for svg in element.iter(f"{SVG}svg"):
                self.chart(svg)
        else:
            self.container(element, classes)

    def container(self, element: ET.Element, classes: set[str]) -> None:
        cover = "cover" in classes
        was, self.centred = self.centred, self.centred or cover
        if element.text and element.text.strip():
            self.paragraph(_text(element))
            return
        self.block(element)
        self.centred = was
        if cover:  # the cover is a page of its own, as in the PDF
            body = self.doc.add_section(WD_SECTION_START.NEW_PAGE)
            body.different_first_page_header_footer = False

    def body_paragraph(self, element: ET.Element, classes: set[str]) -> None:
        text = _text(element)
        if not text:
            return
        if "red" in classes:
            paragraph = self.paragraph(text, align=WD_ALIGN_PARAGRAPH.CENTER)
            for run in paragraph.runs:
                run.font.color.rgb, run.font.bold, run.font.size = RED, True, Pt(26)
                _east_asian(run.element, TITLE_FACE)
            return
        indent = not self.centred and not classes & {"empty", "note", "no-indent"}
        paragraph = self.paragraph(text, align=WD_ALIGN_PARAGRAPH.CENTER if self.centred else None)
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(32)
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            paragraph.paragraph_format.line_spacing = Pt(28)

    def paragraph(self, text: str, style: str | None = None, align: Any = None) -> Any:
        paragraph = self.doc.add_paragraph(style=style)
        for i, line in enumerate(text.split("\n")):
            run = paragraph.add_run()
            if i:
                run.add_break()
            run.add_text(line)
        if align is not None:
            paragraph.alignment = align
        return paragraph

    def figures(self, element: ET.Element) -> None:
        boxes = [b for b in element if _tag(b) == "div"]
        columns = min(4, len(boxes)) or 1
        table = self.doc.add_table(rows=0, cols=columns)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for start in range(0, len(boxes), columns):
            cells = table.add_row().cells
            for cell, box in zip(cells, boxes[start:start + columns], strict=False):
                value = next((_text(d) for d in box if "v" in _classes(d)), _text(box))
                label = next((_text(d) for d in box if "l" in _classes(d)), "")
                first = cell.paragraphs[0]
                run = first.add_run(value)
                run.font.bold, run.font.size, run.font.color.rgb = True, Pt(14), RED
                first.alignment = WD_ALIGN_PARAGRAPH.CENTER
                if label:
                    below = cell.add_paragraph()
                    below.add_run(label).font.size = Pt(9)
                    below.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.doc.add_paragraph()

    def chart(self, svg: ET.Element) -> None:
        png = self.images.get(id(svg))
        if png is None:
            return
        self.doc.add_picture(io.BytesIO(png), width=Mm(150))
        self.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    def table(self, element: ET.Element) -> None:
        rows: list[tuple[bool, list[_Cell]]] = []
        for part in element:
            head = _tag(part) == "thead"
            trs = [part] if _tag(part) == "tr" else [r for r in part if _tag(r) == "tr"]
            for tr in trs:
                cells = [
                    _Cell(_text(c), _tag(c) == "th" or head, "num" in _classes(c),
                          int(c.get("rowspan", 1) or 1), int(c.get("colspan", 1) or 1))
                    for c in tr if _tag(c) in ("td", "th")
                ]
                rows.append((head, cells))
        if not rows:
            return
        grid = _place(rows)
        width = max(len(r) for r in grid)
        table = self.doc.add_table(rows=len(grid), cols=width)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for (head, _cells), row in zip(rows, table.rows, strict=True):
            if head:
                _repeat_header(row)
        _fill(table, grid)
        self.doc.add_paragraph()


def _place(rows: list[tuple[bool, list[_Cell]]]) -> list[list[tuple[_Cell, int, int] | None]]:
    """Lay the cells of an HTML table on a grid: each slot holds (cell, row, col) of the cell
    that starts there, or None where a cell above or to the left spans into it."""
    grid: list[list[Any]] = [[] for _ in rows]
    taken: set[tuple[int, int]] = set()
    for r, (_head, cells) in enumerate(rows):
        c = 0
        for cell in cells:
            while (r, c) in taken:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            while len(grid[r]) <= c:
                grid[r].append(None)
            grid[r][c] = (cell, r, c)
            c += cell.colspan
    width = max((c for _r, c in taken), default=-1) + 1
    return [row + [None] * (width - len(row)) for row in grid]


def _fill(table: Table, grid: list[list[Any]]) -> None:
    # The new table's cells, looked up once: python-docx's `table.cell()` walks the whole table
    # on every call. Merging keeps the cells that a later slot reads (spans never overlap).
    cells = [row.cells for row in table.rows]
    for row in grid:
        for slot in row:
            if slot is None:
                continue
            cell, r, c = slot
            target = cells[r][c]
            last_r = min(r + cell.rowspan - 1, len(grid) - 1)
            last_c = min(c + cell.colspan - 1, len(row) - 1)
            if (last_r, last_c) != (r, c):
                target = target.merge(cells[last_r][last_c])
            paragraph = target.paragraphs[0]
            run = paragraph.add_run(cell.text)
            run.font.size, run.font.bold = TABLE_SIZE, cell.header
            if cell.number:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            elif cell.header:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _face(font: Any, element: Any, face: str, size: Pt) -> None:
    font.name, font.size = face, size
    _east_asian(element, face)


def _east_asian(element: Any, face: str) -> None:
    properties = element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), face)


def _repeat_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _red_rule(paragraph: Any) -> None:
    properties = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "18"), ("space", "1"), ("color", "C8161D")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    properties.append(border)


def _page_number(paragraph: Any) -> None:
    """"— 3 —" centred at the foot of each page, as the PDF prints it."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)
        else:
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = text
            run._r.append(code)
    paragraph.add_run(" —")
