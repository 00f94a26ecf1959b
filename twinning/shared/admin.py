from typing import Any

from django.contrib import admin

from twinning.shared.models import ImportRecord, Profile, ReminderDelivery, ReminderLog


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




@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every reminder sent by e-mail, SMS or a WeCom group, with its outcome; written by the
    reminder tasks only."""

    list_display = ("sent_on", "channel", "user", "group_name", "status", "attempts",
                    "sent_at", "last_error")
    list_filter = ("status", "channel", "sent_on")
    search_fields = ("user__username", "group_name", "last_error")
    list_select_related = ("user",)
    exclude = ("target",)  # a robot's address carries its key

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [f.name for f in ReminderDelivery._meta.fields if f.name != "target"]
