from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from twinning.committees.models import CommitteeVillage, JointCommittee


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


