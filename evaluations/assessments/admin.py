"""Assessments in the admin: the criteria are edited here; rounds and results are scored on
the site, so here they are read-only; commendations may be corrected."""

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from evaluations.assessments.models import (
    Assessment,
    AssessmentCriterion,
    AssessmentRound,
    AssessmentScore,
    Commendation,
)
from twinning.shared.admin import ReadOnlyAdminMixin


@admin.register(AssessmentCriterion)
class AssessmentCriterionAdmin(SimpleHistoryAdmin):
    """The department sets the assessment criteria here; a round copies them when scored."""

    list_display = ("name", "max_points", "source", "order", "active")
    list_editable = ("max_points", "order", "active")
    list_filter = ("active", "source")

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        # A criterion that has been used stays (PROTECT); switch it off instead.
        return obj is not None and not obj.scores.exists()


@admin.register(AssessmentRound)
class AssessmentRoundAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Opened, scored and closed on the assessment pages, where the services keep the ranks."""

    list_display = ("__str__", "opened_on", "closes_on", "closed_at")


class AssessmentScoreInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AssessmentScore
    fields = ("criterion_name", "max_points", "proposed", "final", "reason", "adjusted_by")


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("committee", "round", "total", "rank", "town_rank", "grade", "outstanding")
    list_filter = ("round", "grade", "outstanding", "committee__town")
    search_fields = ("committee__name", "committee__code")
    list_select_related = ("committee", "round")
    inlines = [AssessmentScoreInline]


@admin.register(Commendation)
class CommendationAdmin(SimpleHistoryAdmin):
    list_display = ("secretary", "assessment", "reward", "promotion", "given_on")
    search_fields = ("secretary", "assessment__committee__name")
    list_select_related = ("assessment__committee", "assessment__round")
    raw_id_fields = ("assessment",)
    readonly_fields = ("recorded_by",)
