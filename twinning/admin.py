from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CommitteeVillage, ImportRecord, JointCommittee, Profile


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


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    """The record of every import; written by the imports only, never edited."""

    list_display = ("created_at", "user", "kind", "file_name", "dry_run", "status", "rows",
                    "created", "changed", "unchanged", "errors")
    list_filter = ("kind", "status", "dry_run")
    search_fields = ("file_name", "user__username")
    list_select_related = ("user",)
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [field.name for field in ImportRecord._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
