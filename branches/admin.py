from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from branches.models import Branch, Member, Town


@admin.register(Town)
class TownAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(Branch)
class BranchAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "town", "secretary", "weak")
    list_filter = ("kind", "weak", "town")
    search_fields = ("code", "name", "secretary")
    list_select_related = ("town",)


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ("name", "branch", "role", "joined_on")
    list_filter = ("role",)
    search_fields = ("name", "branch__name", "branch__code")
    list_select_related = ("branch",)
    autocomplete_fields = ("branch",)
