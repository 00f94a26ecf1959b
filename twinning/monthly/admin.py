from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from twinning.monthly.models import MonthlyAttachment, MonthlyNudge, MonthlyUpdate, ReopenRequest


class MonthlyAttachmentInline(admin.TabularInline):
    model = MonthlyAttachment
    extra = 0
    readonly_fields = ("name", "kind", "size", "uploaded_by", "uploaded_at")
    fields = ("file", *readonly_fields)


@admin.register(MonthlyUpdate)
class MonthlyUpdateAdmin(SimpleHistoryAdmin):
    list_display = ("committee", "period", "status", "first_submitted_at", "reviewed_at")
    list_filter = ("status", "period", "committee__town")
    search_fields = ("committee__code", "committee__name")
    list_select_related = ("committee",)
    date_hierarchy = "period"
    # The workflow (submit, accept, return, the deadline's record) runs through the pages.
    readonly_fields = (
        "committee", "period", "status", "first_submitted_at", "submitted_at", "submitted_by",
        "reviewed_at", "reviewed_by", "return_reason", "updated_by", "version",
    )
    inlines = [MonthlyAttachmentInline]


@admin.register(ReopenRequest)
class ReopenRequestAdmin(SimpleHistoryAdmin):
    list_display = ("committee", "period", "status", "requested_at", "decided_at")
    list_filter = ("status", "period")
    search_fields = ("committee__code", "committee__name", "reason")
    list_select_related = ("committee",)
    readonly_fields = ("committee", "period", "requested_by", "requested_at", "decided_by",
                       "decided_at")




@admin.register(MonthlyNudge)
class MonthlyNudgeAdmin(SimpleHistoryAdmin):
    """催报 are sent from the completeness page; the admin only reads them."""

    list_display = ("committee", "period", "sent_on", "sent_by", "recipients")
    list_filter = ("period", "sent_on")
    search_fields = ("committee__code", "committee__name")
    list_select_related = ("committee", "sent_by")
    readonly_fields = ("committee", "period", "sent_on", "sent_at", "sent_by", "recipients")
