"""Report once (最多报一次): what other records already say about a committee's month.

The monthly update form starts from these figures and the secretary confirms or corrects
them. Each kind of record (aid projects, secondments, pairings, hot issues …) registers one
source; a source returns values keyed by MonthlyUpdate field names (DESIGN §5:
`activities`, `trainings`, `secondments`, `pairings`, `problems_solved`, `investment_yuan`,
`jobs_created`) for many committees at once, so a page pays one query per source.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

PrefillSource = Callable[[Iterable[int], datetime.date], dict[int, dict[str, Any]]]
_SOURCES: list[PrefillSource] = []


def register(source: PrefillSource) -> PrefillSource:
    """Add a source; usable as a decorator. Registering the same function twice is a no-op."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def prefill(committee_ids: Iterable[int], period: datetime.date) -> dict[int, dict[str, Any]]:
    """Figures for each committee in the month starting at `period`; sources' numbers add up."""
    ids = list(committee_ids)
    merged: dict[int, dict[str, Any]] = defaultdict(dict)
    for source in _SOURCES:
        for committee_id, values in source(ids, period).items():
            for key, value in values.items():
                merged[committee_id][key] = merged[committee_id].get(key, 0) + value
    return dict(merged)
