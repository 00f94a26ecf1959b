from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ActionItem, CommitteeVillage, JointCommittee, JointMeeting, Profile


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
