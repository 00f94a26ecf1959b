"""Issuing a bulletin as an official document: its head and 版记, the publishing checklist,
and the serial number.

A built version keeps its HTML. The parts that change at publication — the head (期号,
文号, issue date, the 快报 title), the 版记 (印发日期) and the head page's number rule — sit
between `<!--issue:NAME-->` markers, rendered from `reports/bulletins/issue/NAME.html`;
publication renders them again with the number filled in and puts them in place, so the
issued PDF is the document the department reviewed, never the data as it stands by then.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.bulletins import fonts
from reports.bulletins.models import Bulletin, BulletinSettings
from twinning.monthly.rules import deadline, lock_date
from twinning.shared.periods import chinese_period
from twinning.shared.writes import save_single_row

PARTS = ("style", "head", "foot")
TYPE_AREA_MM = 156  # GB/T 9704: the type area is 156 mm wide
PT_PER_MM = 72 / 25.4


def bulletin_settings() -> BulletinSettings:
    """The settings row, or defaults from the city's name before the department saves it."""
    row = BulletinSettings.objects.first()
    if row is not None:
        return row
    city = settings.PROGRAMME_CITY_NAME
    return BulletinSettings(
        heading=f"{city}城乡联合党组织建设工作简报", issuing_body=f"中共{city}委组织部",
    )


def bulletin_settings_update(*, row: BulletinSettings) -> BulletinSettings:
    """Save the department's issuing settings (one row, with history)."""
    return save_single_row(row)


def settings_missing(row: BulletinSettings) -> list[str]:
    """The labels of the required settings not yet saved by the department."""
    if row.pk is None:
        return [str(_("印发设置尚未保存"))]
    required = ("heading", "issuing_body", "short_name", "recipients", "printed_by")
    return [str(BulletinSettings._meta.get_field(name).verbose_name)
            for name in required if not getattr(row, name).strip()]


@dataclass
class Issue:
    """What the head and the 版记 print: a draft's, or the issued document's."""

    period: datetime.date
    as_of: datetime.date
    row: BulletinSettings
    quick: bool = False
    serial_year: int | None = None
    serial_number: int | None = None
    reference: str = ""
    issued_on: datetime.date | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def draft(self) -> bool:
        return self.serial_number is None

    @property
    def period_label(self) -> str:
        return chinese_period(self.period)

    @property
    def as_of_label(self) -> str:
        return f"{self.as_of.month}月{self.as_of.day}日"

    @property
    def title_lines(self) -> list[str]:
        """The title in whole phrases, each kept on one line (no "…建设 / 工作通报")."""
        lines = [self.period_label, "全市城乡联合党组织工作情况通报"]
        if self.quick:
            lines.append(f"（快报·截至{self.as_of_label}）")
        return lines

    @property
    def title(self) -> str:
        return "".join(self.title_lines)

    @property
    def heading_pt(self) -> float:
        """The red heading's size: as large as 小初 (36 pt) while it fits on one line."""
        width = TYPE_AREA_MM * PT_PER_MM * 0.96
        return round(min(36.0, width / max(len(self.row.heading), 1)), 1)

    @property
    def filing_deadline(self) -> datetime.date:
        return deadline(self.period)


def _part(name: str, issue: Issue) -> str:
    body = render_to_string(f"reports/bulletins/issue/{name}.html", {"issue": issue})
    return f"<!--issue:{name}-->{body}<!--/issue:{name}-->"


def draft_parts(period: datetime.date, as_of: datetime.date) -> dict[str, str]:
    """The marked parts of a draft (no number, "草稿"), for the build's template."""
    issue = Issue(period=period, as_of=as_of, row=bulletin_settings())
    return {name: _part(name, issue) for name in PARTS}


def reissue(html: str, issue: Issue) -> str:
    """The built HTML with its marked parts rendered again for `issue`."""
    for name in PARTS:
        pattern = re.compile(rf"<!--issue:{name}-->.*?<!--/issue:{name}-->", re.DOTALL)
        if not pattern.search(html):
            raise ValidationError(_("该版本的排版内容不完整，请重新生成后发布。"))
        html = pattern.sub(lambda _m, n=name: _part(n, issue), html, count=1)
    return html


@dataclass(frozen=True)
class CheckItem:
    key: str
    label: str
    ok: bool
    detail: str = ""
    quick_waives: bool = False  # a 快报 may be published without it


def as_of(bulletin: Bulletin) -> datetime.date:
    """The day the version's figures were read (its build date)."""
    if bulletin.contents.get("as_of"):
        return datetime.date.fromisoformat(bulletin.contents["as_of"])
    built = bulletin.built_at or bulletin.requested_at or timezone.now()
    return timezone.localdate(built)


def filing_closed(bulletin: Bulletin) -> bool:
    """Whether the month's filing had closed (deadline passed and the month locked) when the
    version's figures were read: before that they are not the month's final figures."""
    return as_of(bulletin) >= lock_date(bulletin.period)


def checklist(bulletin: Bulletin) -> list[CheckItem]:
    """What publishing needs, item by item, for this built version; `detail` says what is
    there, or why the item is missing."""
    contents = bulletin.contents or {}
    cases = int(contents.get("cases", 0))
    missing_settings = settings_missing(bulletin_settings())
    font_problem = fonts.problem()
    dates = {"as_of": f"{as_of(bulletin):%Y-%m-%d}", "period": chinese_period(bulletin.period),
             "deadline": f"{deadline(bulletin.period):%Y-%m-%d}",
             "locked": f"{lock_date(bulletin.period):%Y-%m-%d}"}
    closed = filing_closed(bulletin)
    return [
        CheckItem("cases", _("典型案例已选定"), cases > 0,
                  _("本版收录%(n)s个典型案例") % {"n": cases} if cases
                  else _("未选定典型案例：请在“典型案例”页从记录中选定，然后重新生成")),
        CheckItem("next_steps", _("下步工作已填写"), bool(contents.get("next_steps")),
                  _("本版已收录下步工作") if contents.get("next_steps")
                  else _("未填写下步工作：请在“下步工作”页填写，然后重新生成")),
        CheckItem("filing", _("本月报送已截止并锁定"), closed,
                  (_("数据截至%(as_of)s，%(period)s月度报告已于%(locked)s锁定") if closed
                   else _("数据截至%(as_of)s，%(period)s月度报告%(deadline)s截止、%(locked)s锁定，"
                          "报送尚未结束：不能作为正式通报发布，可作为快报发布")) % dates,
                  quick_waives=True),
        CheckItem("fonts", _("字体齐全"), font_problem is None,
                  font_problem or _("标题、正文、楷体、黑体字体均已安装")),
        CheckItem("settings", _("印发设置已填写"), not missing_settings,
                  _("印发设置未填写完整，缺少：%(fields)s")
                  % {"fields": "、".join(missing_settings)}
                  if missing_settings else _("发文机关、代字、主送、印发机关均已填写")),
    ]


def refusals(bulletin: Bulletin, *, quick: bool) -> list[str]:
    """Why this version may not be published (as a 快报 if `quick`); empty if it may."""
    items = checklist(bulletin)
    closed = next(i for i in items if i.key == "filing").ok
    if quick and closed:
        return [_("本月报送已截止，请发布正式通报，不必发布快报。")]
    return [item.detail for item in items
            if not item.ok and not (quick and item.quick_waives)]


def next_serial(year: int) -> int:
    """The next number of `year`. Call with the settings row locked: numbers are never
    reused (a superseded version keeps its own), and the unique constraint backs it."""
    last = Bulletin.objects.filter(serial_year=year).aggregate(n=Max("serial_number"))["n"]
    return (last or 0) + 1


def issue_for(bulletin: Bulletin, *, quick: bool) -> Issue:
    """Lock the settings row, take the next number and return the issued document's parts.

    The row lock makes two publications take turns, so they never read the same last
    number; the unique constraint refuses the second if anything slipped past.
    """
    row = BulletinSettings.objects.select_for_update().first()
    if row is None:
        raise ValidationError(_("印发设置尚未保存。"))
    today = timezone.localdate()
    number = next_serial(today.year)
    return Issue(
        period=bulletin.period, as_of=as_of(bulletin), row=row, quick=quick,
        serial_year=today.year, serial_number=number,
        reference=row.reference_for(today.year, number), issued_on=today,
    )
