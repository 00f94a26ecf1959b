"""Inspections in the admin: the rubric is editable here too; inspections and rectification
items are recorded on the site, where the services check the rules and compute the totals, so
here they are read-only, with their history."""

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from evaluations.inspections.models import (
    Inspection,
    InspectionCriterion,
    InspectionScore,
    Rectification,
)
from twinning.shared.admin import ReadOnlyAdminMixin


@admin.register(InspectionCriterion)
class InspectionCriterionAdmin(SimpleHistoryAdmin):
    list_display = ("name", "max_score", "order", "active")
    list_editable = ("max_score", "order", "active")
    list_filter = ("active",)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        # A criterion that has been used stays (PROTECT); switch it off instead.
        return obj is not None and not obj.scores.exists()


class ScoreInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InspectionScore
    fields = ("criterion_name", "max_score", "score")


class RectificationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Rectification
    fields = ("description", "owner", "due_on", "status", "closed_on")


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("committee", "period", "visited_on", "total", "max_total")
    list_filter = ("period", "committee__town")
    search_fields = ("committee__name", "committee__code", "team")
    list_select_related = ("committee",)
    date_hierarchy = "period"
    inlines = [ScoreInline, RectificationInline]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("description", "committee", "owner", "due_on", "status", "closed_on")
    list_filter = ("status", "committee__town")
    search_fields = ("description", "owner", "committee__name", "committee__code")
    list_select_related = ("committee",)
    date_hierarchy = "due_on"
