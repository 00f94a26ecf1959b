"""The time scope of outcome figures: a month, a calendar year, or since the programme began."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from twinning.shared.periods import (
    format_period,
    month_end,
    month_start,
    parse_period,
    previous_month,
)


@dataclass(frozen=True)
class TimeScope:
    """A month, a calendar year, or the whole programme (`first`/`last` are both None)."""

    MONTH: ClassVar[str] = "month"
    YEAR: ClassVar[str] = "year"
    ALL: ClassVar[str] = "all"

    kind: str
    first: datetime.date | None = None
    last: datetime.date | None = None

    @classmethod
    def month(cls, day: datetime.date) -> "TimeScope":
        return cls(cls.MONTH, month_start(day), month_end(day))

    @classmethod
    def year(cls, year: int) -> "TimeScope":
        return cls(cls.YEAR, datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def since_start(cls, until: datetime.date | None = None) -> "TimeScope":
        """Everything so far, or everything up to `until` (a bulletin's cumulative figures)."""
        return cls(cls.ALL, None, until)

    @classmethod
    def from_params(cls, params: Mapping[str, str], *, today: datetime.date) -> "TimeScope":
        """The scope a page's filters ask for: `scope=month&period=YYYY-MM`, `scope=year&year=
        YYYY` or `scope=all` (the default). A month defaults to the last complete month, a year
        to this one; a malformed value is a ValidationError with a message for the user."""
        kind = params.get("scope") or cls.ALL
        if kind == cls.MONTH:
            text = params.get("period")
            return cls.month(parse_period(text) if text else previous_month(today))
        if kind == cls.YEAR:
            text = params.get("year") or str(today.year)
            if not text.isdigit() or not 1900 < int(text) < 3000:
                raise ValidationError(_("「%(text)s」不是有效的年度。") % {"text": text})
            return cls.year(int(text))
        if kind != cls.ALL:
            raise ValidationError(_("未知的统计范围「%(text)s」。") % {"text": kind})
        return cls.since_start()

    @property
    def label(self) -> str:
        if self.kind == self.MONTH:
            return date_format(self.first, "YEAR_MONTH_FORMAT")  # 2026年10月, October 2026
        if self.kind == self.YEAR:
            return _("%(year)s年") % {"year": self.first.year}
        if self.last:
            month = date_format(self.last, "YEAR_MONTH_FORMAT")
            return _("累计（截至%(month)s）") % {"month": month}
        return _("累计（自开展以来）")

    @property
    def period(self) -> str:
        """`YYYY-MM` of a month scope, for the filter form."""
        return format_period(self.first) if self.first else ""

    def dated(self, name: str) -> Q:
        """Rows whose date field `name` falls in the scope."""
        if self.kind == self.ALL:
            return Q(**{f"{name}__lte": self.last}) if self.last else Q()
        return Q(**{f"{name}__range": (self.first, self.last)})

    def running(self, start: str, end: str) -> Q:
        """Rows whose span (start, open-ended end) overlaps the scope."""
        if self.kind == self.ALL:
            return Q(**{f"{start}__lte": self.last}) if self.last else Q()
        return Q(**{f"{start}__lte": self.last}) & (
            Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": self.first})
        )

    def years(self, name: str) -> Q:
        """Rows whose year field `name` is a year the scope touches."""
        if self.kind == self.ALL:
            return Q(**{f"{name}__lte": self.last.year}) if self.last else Q()
        return Q(**{f"{name}__range": (self.first.year, self.last.year)})
