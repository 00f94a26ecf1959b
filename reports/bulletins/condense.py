"""What a bulletin prints of a long list, so that it stays readable at any city size.

A table by town prints every town up to `BULLETIN_TOWN_ROWS`; beyond that, the first and the
last half of that many in the table's order (the top and the bottom: the most telling), and a
line saying how many more are in the spreadsheet annex. The annex holds every row.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings


@dataclass
class Excerpt:
    """The rows printed from a longer list: `head`, then `hidden` rows left to the annex,
    then `tail`."""

    head: list[Any]
    tail: list[Any] = field(default_factory=list)
    hidden: int = 0

    @property
    def rows(self) -> list[Any]:
        return self.head + self.tail

    @property
    def total(self) -> int:
        return len(self.head) + len(self.tail) + self.hidden


def top_and_bottom(rows: Sequence[Any], key: Callable[[Any], Any] | None = None,
                   limit: int | None = None) -> Excerpt:
    """`rows` (sorted by `key`, highest first, if given) cut to their top and bottom when
    there are more than `limit` (BULLETIN_TOWN_ROWS)."""
    limit = settings.BULLETIN_TOWN_ROWS if limit is None else limit
    ordered = sorted(rows, key=key, reverse=True) if key else list(rows)
    if len(ordered) <= limit:
        return Excerpt(ordered)
    half = max(limit // 2, 1)
    return Excerpt(ordered[:half], ordered[-half:], len(ordered) - 2 * half)


def first(rows: Sequence[Any], limit: int | None = None) -> Excerpt:
    """The first `limit` (BULLETIN_LIST_ROWS) of `rows`, in their order."""
    limit = settings.BULLETIN_LIST_ROWS if limit is None else limit
    return Excerpt(list(rows[:limit]), hidden=max(len(rows) - limit, 0))


def _share(town: Any) -> float:
    filed = town.get("on_time") + town.get("late")
    return filed / town.total if town.total else 0.0


def town_tables(data: Any, limit: int | None = None) -> dict[str, Excerpt]:
    """The towns by size (villages, committees) and by inspection rank (ranked towns first,
    towns not inspected this month last): what the bulletin and the dashboard show of them."""
    return {
        "towns": top_and_bottom(data.overview.by_town, key=lambda t: (t.villages, t.committees),
                                limit=limit),
        "score_towns": top_and_bottom(sorted(
            data.inspections.scores.by_town,
            key=lambda t: (t.rank is None, t.rank or 0)), limit=limit),
    }


def bulletin_excerpts(data: Any) -> dict[str, Excerpt]:
    """What the bulletin prints of each long list of `data` (a `BulletinData`)."""
    warnings = data.inspections.warnings or {}
    return {
        **town_tables(data),
        "filing_towns": top_and_bottom(data.filing.completeness.by_town,
                                       key=lambda t: (_share(t), t.total)),
        "missing": first(data.filing.completeness.missing),
        "aid_towns": top_and_bottom(data.aid.month.town_rows(),
                                    key=lambda r: r.cells[1].value),
        "warnings": first(warnings.get("serious", [])),
        "review_towns": top_and_bottom(data.reviews.by_town if data.reviews else [],
                                       key=lambda t: t.counts.rated),
    }
