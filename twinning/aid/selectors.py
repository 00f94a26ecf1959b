"""Reads that feed the aid-project and mutual-help pages, each with a fixed number of queries."""

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from twinning.aid.models import ZERO, AidProject, ProjectProgress
from twinning.aid.record_kinds import RecordKind
from twinning.committees.models import JointCommittee
from twinning.shared import permissions


def project_list(user: Any, params: Mapping[str, str]) -> QuerySet:
    """Projects the user may see, searched and filtered by the list page's parameters."""
    qs = permissions.visible(user, AidProject.objects.all())
    q = params.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(committee__name__icontains=q) | Q(funder__name__icontains=q)
        )
    if params.get("town"):
        qs = qs.filter(committee__town__code=params["town"])
    if params.get("committee"):
        qs = qs.filter(committee__code=params["committee"])
    for key in ("category", "mechanism", "status"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    return (
        qs.with_progress()
        .select_related("committee", "committee__town", "funder")
        .order_by("-started_on", "committee__code", "title")
    )


def invested(projects: QuerySet) -> Decimal:
    """The actual investment of some projects: the sum of their progress reports."""
    total = ProjectProgress.objects.filter(project__in=projects.values("pk")).aggregate(
        s=Sum("investment")
    )["s"]
    return total or ZERO


def project_detail(project: AidProject) -> dict[str, Any]:
    reports = list(project.reports.order_by("reported_on"))
    return {
        "reports": reports,
        "outputs": list(project.outputs.order_by("completed_on", "kind")),
        "investment_actual": sum((r.investment for r in reports), ZERO),
        "jobs_created": sum(r.jobs for r in reports),
    }


def committee_records(
    kind: RecordKind, committee: JointCommittee, params: Mapping[str, str]
) -> QuerySet:
    """One committee's records of a kind, filtered by year and the kind's choice fields."""
    qs = kind.queryset().filter(committee=committee)
    year = params.get("year", "")
    if year.isdigit() and kind.year_field:
        lookup = kind.year_field if kind.year_field == "year" else f"{kind.year_field}__year"
        qs = qs.filter(**{lookup: int(year)})
    for name in kind.choice_filters:
        if params.get(name):
            qs = qs.filter(**{name: params[name]})
    return qs


def outcome_committees(user: Any) -> QuerySet:
    """The committees whose outcomes the user may see added up: all of them for the department
    and leaders (leaders see aggregates, never a committee's own pages), their towns' for town
    staff."""
    if permissions.can(user, "view_city_figures"):
        return JointCommittee.objects.all()
    return permissions.visible(user, JointCommittee.objects.all())


def programme_years(today: datetime.date) -> list[int]:
    """The years the programme has run, newest first, for the year filters."""
    first = JointCommittee.objects.order_by("established_on").values_list(
        "established_on__year", flat=True
    ).first()
    return list(range(today.year, (first or today.year) - 1, -1))
