"""Reviews in the admin: rounds and ratings are entered on the site, so here they are mostly
read-only; help cases may be corrected, their follow-ups only read."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from evaluations.reviews.models import HelpAssignment, HelpFollowUp, MemberReview, ReviewRound


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
