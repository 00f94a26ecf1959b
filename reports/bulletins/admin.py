from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.bulletins.models import Bulletin, BulletinText, Notification, TypicalCase
from twinning.shared.admin import ReadOnlyAdminMixin


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: versions are built and published from the bulletin pages."""

    list_display = ("period", "version", "state", "page_count", "published_at")
    list_filter = ("state",)


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
