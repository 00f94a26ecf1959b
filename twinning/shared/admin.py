from typing import Any

from django.contrib import admin

from twinning.shared.models import ImportRecord, Profile, ReminderLog


class ReadOnlyAdminMixin:
    """Shown and searchable, with history; changed only on the site."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role")
    list_filter = ("role",)
    search_fields = ("user__username",)


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


