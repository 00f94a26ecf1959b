"""Sorting a list page by one of its columns: `?sort=<key>` ascending, `?sort=-<key>`
descending. Only the keys the page names are honoured (a whitelist mapped to model fields),
so a query string can never order by, and so probe, a field the page does not show."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest


@dataclass(frozen=True)
class SortColumn:
    """What a column header needs: the `sort` value its link sets and its `aria-sort`."""

    next: str
    state: str  # "ascending", "descending" or "none"


class Sorting:
    """The sort a request asks for, among `columns` (key -> model fields); with none (or one
    not in `columns`) the list keeps the order its selector gives."""

    def __init__(self, request: HttpRequest, columns: Mapping[str, Sequence[str]]) -> None:
        asked = request.GET.get("sort", "")
        self.key: str | None = asked.lstrip("-") if asked.lstrip("-") in columns else None
        self.descending = self.key is not None and asked.startswith("-")
        self.columns = columns

    def apply(self, qs: QuerySet) -> QuerySet:
        """`qs` in the chosen order; the primary key breaks ties so pages never overlap."""
        if self.key is None:
            return qs
        sign = "-" if self.descending else ""
        return qs.order_by(*(sign + field for field in self.columns[self.key]), "pk")

    def __getitem__(self, key: str) -> SortColumn:
        if key not in self.columns:
            raise KeyError(key)
        if key != self.key:
            return SortColumn(next=key, state="none")
        if self.descending:
            return SortColumn(next=key, state="descending")
        return SortColumn(next=f"-{key}", state="ascending")
