"""Inspections in the admin: the rubric is editable here too; inspections and rectification
items are recorded on the site, where the services check the rules and compute the totals, so
here they are read-only, with their history."""

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from evaluations.models import (
    Assessment,
    AssessmentCriterion,
    AssessmentRound,
    AssessmentScore,
    Commendation,
    HelpAssignment,
    HelpFollowUp,
    Inspection,
    InspectionCriterion,
    InspectionScore,
    MemberReview,
    Rectification,
    ReviewRound,
)
from twinning.admin import ReadOnlyAdminMixin


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



@admin.register(ReviewRound)
class ReviewRoundAdmin(SimpleHistoryAdmin):
    """Rounds are opened and closed from the review pages, where the roster is built."""

    list_display = ("__str__", "opened_on", "closes_on", "closed_at")
    readonly_fields = ("year", "half", "closed_at", "opened_by", "closed_by")
    actions = None  # no bulk delete: each round is checked on its own page

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # A locked round is the record of a review that took place; an open one may go.
        return obj is None or not obj.is_locked()


@admin.register(MemberReview)
class MemberReviewAdmin(SimpleHistoryAdmin):
    list_display = ("member", "committee", "round", "rating", "basis", "entered_at")
    list_filter = ("round", "rating")
    search_fields = ("member__name", "committee__name", "committee__code")
    list_select_related = ("member", "committee", "round")
    readonly_fields = ("round", "member", "committee", "entered_by", "entered_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class HelpFollowUpInline(admin.TabularInline):
    model = HelpFollowUp
    extra = 0
    # Follow-ups are recorded on the case page, which keeps the case's last follow-up date.
    readonly_fields = ("date", "note", "recorded_by")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HelpAssignment)
class HelpAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("review", "helper", "status", "assigned_on", "last_follow_up_on")
    list_filter = ("status",)
    search_fields = ("review__member__name", "helper__name")
    list_select_related = ("review__member", "review__round", "helper")
    raw_id_fields = ("review", "helper")
    readonly_fields = ("assigned_by", "last_follow_up_on")
    inlines = [HelpFollowUpInline]


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
