"""The dashboard's reads: the bulletin's figures for any month and filter, remembered, and
reshaped for its charts."""

import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_lazy

from reports.bulletins.selectors import BulletinData, bulletin_data
from twinning.shared import kept_figures


def dashboard_data(period: datetime.date, committees: QuerySet, villages: QuerySet) -> BulletinData:
    """The bulletin's figures as of today, remembered until the data changes (twinning.memo).

    Without the annex: the dashboard shows the early warning as it stands today instead.
    """
    return kept_figures.remember("dashboard", functools.partial(bulletin_data, with_warnings=False),
                         period, committees, villages)


def dashboard_payload(data: BulletinData) -> dict[str, Any]:
    """The dashboard's chart data: the bulletin's figures, reshaped for Chart.js."""
    h = data.overview.headline
    return {
        "names": {"committees": gettext("联合党组织"), "villages": gettext("联建村")},
        "by_form": {"labels": [str(label) for label, _ in h.by_form],
                    "values": [n for _, n in h.by_form]},
        "by_town": {"labels": [t.name for t in data.overview.by_town],
                    "committees": [t.committees for t in data.overview.by_town],
                    "villages": [t.villages for t in data.overview.by_town]},
        "filing": {"labels": [f"{m.period:%Y-%m}" for m in data.filing.trend],
                   "rates": [m.rate for m in data.filing.trend],
                   "name": gettext("报送率（%）")},
        "scores": {"labels": [f"{m.period:%Y-%m}" for m in data.inspections.trend],
                   "averages": [float(m.average) if m.average is not None else None
                                for m in data.inspections.trend],
                   "name": gettext("督查平均得分")},
        "aid": {"labels": [f"{m.period:%Y-%m}" for m in data.aid.trend],
                "investment_wan": [float(m.investment / 10000) for m in data.aid.trend],
                "jobs": [m.jobs for m in data.aid.trend],
                "names": [gettext("投入（万元）"), gettext("新增就业（人）")],
                "mechanisms": [str(r.label) for r in data.aid.cumulative.by_mechanism],
                "mechanism_wan": [float(r.investment / 10000)
                                  for r in data.aid.cumulative.by_mechanism]},
        "trend": {"labels": [f"{p.period:%Y-%m}" for p in data.trend],
                  "committees": [p.committees for p in data.trend],
                  "villages": [p.villages for p in data.trend]},
    }


@dataclass
class MonthChange:
    """One figure of the last month beside the month before."""

    label: str
    now: int | float | Decimal
    before: int | float | Decimal | None
    unit: str = ""

    @property
    def delta(self) -> int | float | Decimal | None:
        # A month with no figure yet (its filing still open) has no change to show.
        if self.before is None or self.now is None:
            return None
        change = self.now - self.before
        return round(change, 1) if isinstance(change, float) else change


def month_changes(data: BulletinData) -> list[MonthChange]:
    """What changed since the month before, from the dashboard's own figures: committees,
    villages joined (at each month's end), the filing rate and the money invested."""
    trend, filing, aid = data.trend, data.filing.trend, data.aid.trend

    def pair(points: list, name: str) -> tuple[Any, Any]:
        now = getattr(points[-1], name) if points else 0
        before = getattr(points[-2], name) if len(points) > 1 else None
        return now, before

    invest_now, invest_before = pair(aid, "investment")
    wan = Decimal("10000")
    return [
        MonthChange(gettext_lazy("联合党组织"), *pair(trend, "committees"), gettext_lazy("个")),
        MonthChange(gettext_lazy("联建村"), *pair(trend, "villages"), gettext_lazy("个")),
        MonthChange(gettext_lazy("月度报告报送率"), *pair(filing, "rate"), "%"),
        MonthChange(gettext_lazy("当月帮扶投入"), (invest_now / wan).quantize(Decimal("0.01")),
                    None if invest_before is None
                    else (invest_before / wan).quantize(Decimal("0.01")),
                    gettext_lazy("万元")),
    ]
