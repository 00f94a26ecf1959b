from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Bulletin, BulletinText, Notification, TypicalCase


@admin.register(Bulletin)
class BulletinAdmin(SimpleHistoryAdmin):
    """Read-only: versions are built and published from the bulletin pages."""

    list_display = ("period", "version", "state", "page_count", "published_at")
    list_filter = ("state",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BulletinText)
class BulletinTextAdmin(SimpleHistoryAdmin):
    list_display = ("period",)


@admin.register(TypicalCase)
class TypicalCaseAdmin(SimpleHistoryAdmin):
    list_display = ("period", "title", "committee", "order")
    list_filter = ("period",)
    search_fields = ("title", "committee__name")
    autocomplete_fields = ("committee",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "text", "created_at", "read_at")
    search_fields = ("user__username", "text")
