from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from twinning.committees.models import CommitteeVillage, JointCommittee
from twinning.meetings.models import ActionItem, JointMeeting
from twinning.monthly.models import MonthlyAttachment, MonthlyUpdate, ReopenRequest
from twinning.shared.models import ImportRecord, Profile, ReminderLog


class ReadOnlyAdminMixin:
    """Shown and searchable, with history; changed only on the site."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class CommitteeVillageInline(admin.TabularInline):
    model = CommitteeVillage
    extra = 0
    # Villages join and leave through the committee pages, where the 2–4 rule is checked.
    readonly_fields = ("village", "joined_on", "left_on", "left_reason")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(JointCommittee)
class JointCommitteeAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "town", "urban", "form", "formation", "dissolved_on")
    list_filter = ("form", "formation", "town")
    search_fields = ("code", "name", "urban__name")
    list_select_related = ("town", "urban")
    readonly_fields = ("form", "urban", "town", "dissolved_on")
    inlines = [CommitteeVillageInline]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role")
    list_filter = ("role",)
    search_fields = ("user__username",)


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


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ("sent_on", "user", "key", "emailed")
    list_filter = ("sent_on", "emailed")
    search_fields = ("user__username", "key")
    list_select_related = ("user",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    fields = ("description", "owner", "committee", "due_on", "status", "done_on")
    # Items are added and closed on the meeting pages, which check dates against the meeting.
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(JointMeeting)
class JointMeetingAdmin(SimpleHistoryAdmin):
    list_display = ("held_on", "period", "topics")
    date_hierarchy = "held_on"
    search_fields = ("topics", "decisions", "attendees")
    # The month follows the date (services); both change on the meeting pages.
    readonly_fields = ("held_on", "period", "recorded_by")
    inlines = [ActionItemInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ImportRecord)
class ImportRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The record of every import; written by the imports only, never edited."""

    list_display = ("created_at", "user", "kind", "file_name", "dry_run", "status", "rows",
                    "created", "changed", "unchanged", "errors")
    list_filter = ("kind", "status", "dry_run")
    search_fields = ("file_name", "user__username")
    list_select_related = ("user",)
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [field.name for field in ImportRecord._meta.fields]


# Registers the aid, mutual-help, advisor and warning admins.
from twinning.advisor import admin as advisor_admin  # noqa: E402, F401
from twinning.aid import admin as aid_admin  # noqa: E402, F401
