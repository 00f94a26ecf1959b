from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from twinning.meetings.models import ActionItem, JointMeeting


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


