"""The figures of a month's bulletin, read from the database at one moment.

The bulletin PDF and the dashboard both call `bulletin_data`, so their numbers cannot
differ. Every figure is aggregated in the database; the number of queries does not depend
on the size of the city.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from branches.models import Branch, Town
from twinning import selectors as committee_selectors
from twinning.models import CommitteeVillage, JointCommittee
from twinning.periods import month_end

from .models import BulletinText, TypicalCase


@dataclass
class TownRow:
    code: str
    name: str
    committees: int
    villages: int


@dataclass
class Overview:
    """Section 一 总体情况."""

    headline: committee_selectors.Headline
    established: int
    dissolved: int
    villages_in: int
    villages_out: int
    by_town: list[TownRow] = field(default_factory=list)


@dataclass
class BulletinData:
    period: datetime.date
    city: str
    overview: Overview
    cases: list[TypicalCase]
    next_steps: str
    extra: dict[str, Any] = field(default_factory=dict)


def overview(period: datetime.date, committees: QuerySet, villages: QuerySet) -> Overview:
    end = month_end(period)
    month = (period, end)
    active = committee_selectors.active_on(committees, end)
    memberships = CommitteeVillage.objects.filter(committee__in=committees)
    per_town = dict(active.values_list("town_id").annotate(n=Count("id")).order_by())
    villages_per_town = dict(
        committee_selectors.memberships_on(end)
        .filter(committee__in=active)
        .values_list("committee__town_id")
        .annotate(n=Count("village_id", distinct=True))
        .order_by()
    )
    towns = Town.objects.filter(Q(id__in=per_town) | Q(id__in=villages.values("town_id")))
    return Overview(
        headline=committee_selectors.headline_figures(committees, villages, on=end),
        established=committees.filter(established_on__range=month).count(),
        dissolved=committees.filter(dissolved_on__range=month).count(),
        villages_in=memberships.filter(joined_on__range=month).count(),
        villages_out=memberships.filter(left_on__range=month).count(),
        by_town=[
            TownRow(t.code, t.name, per_town.get(t.pk, 0), villages_per_town.get(t.pk, 0))
            for t in towns.order_by("code")
        ],
    )


def bulletin_data(
    period: datetime.date,
    committees: QuerySet | None = None,
    villages: QuerySet | None = None,
) -> BulletinData:
    """Everything a bulletin prints for `period`, for all committees or a filtered set."""
    committees = JointCommittee.objects.all() if committees is None else committees
    villages = Branch.objects.filter(kind=Branch.Kind.VILLAGE) if villages is None else villages
    text = BulletinText.objects.filter(period=period).first()
    return BulletinData(
        period=period,
        city=settings.PROGRAMME_CITY_NAME,
        overview=overview(period, committees, villages),
        cases=list(
            TypicalCase.objects.filter(period=period, committee__in=committees)
            .select_related("committee", "committee__town")
        ),
        next_steps=text.next_steps if text else "",
    )
