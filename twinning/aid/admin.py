"""Admin for aid projects and mutual-help records; day-to-day entry happens on the site's pages,
where every rule is checked. Here the department can search, correct and see the history."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from twinning.aid import models as aid
from twinning.aid.services import mechanism_for


class ProgressInline(admin.TabularInline):
    model = aid.ProjectProgress
    extra = 0


class OutputInline(admin.TabularInline):
    model = aid.InfrastructureOutput
    extra = 0


class AidProjectAdminForm(forms.ModelForm):
    """The admin builds the fields; this keeps the mechanism following the funder's kind."""

    def clean(self) -> dict:
        data = super().clean()
        if data.get("funder") is not None:
            # A village funder never gets here (the field's choices exclude villages); if it
            # did, the ValidationError would show on the form.
            self.instance.mechanism = mechanism_for(data["funder"])
        return data


@admin.register(aid.AidProject)
class AidProjectAdmin(SimpleHistoryAdmin):
    form = AidProjectAdminForm
    list_display = ("title", "committee", "category", "funder", "mechanism", "status",
                    "started_on", "finished_on")
    list_filter = ("category", "mechanism", "status", "committee__town")
    search_fields = ("title", "committee__name", "committee__code", "funder__name")
    list_select_related = ("committee", "funder")
    autocomplete_fields = ("funder",)
    readonly_fields = ("mechanism",)
    inlines = [ProgressInline, OutputInline]


@admin.register(aid.Secondment)
class SecondmentAdmin(SimpleHistoryAdmin):
    list_display = ("name", "committee", "from_branch", "to_branch", "started_on", "ended_on")
    search_fields = ("name", "committee__name", "committee__code")
    list_select_related = ("committee", "from_branch", "to_branch")
    raw_id_fields = ("member", "from_branch", "to_branch")


@admin.register(aid.MemberPairing)
class MemberPairingAdmin(SimpleHistoryAdmin):
    list_display = ("urban_member", "village_member", "committee", "since", "until")
    search_fields = ("urban_member__name", "village_member__name", "committee__name")
    list_select_related = ("committee", "urban_member", "village_member")
    raw_id_fields = ("urban_member", "village_member")


@admin.register(aid.HelpActivity)
class HelpActivityAdmin(SimpleHistoryAdmin):
    list_display = ("title", "committee", "kind", "held_on", "count")
    list_filter = ("kind",)
    search_fields = ("title", "committee__name", "committee__code")
    list_select_related = ("committee",)
    date_hierarchy = "held_on"


@admin.register(aid.HotIssue)
class HotIssueAdmin(SimpleHistoryAdmin):
    list_display = ("title", "committee", "year", "status", "solved_on")
    list_filter = ("status", "year")
    search_fields = ("title", "committee__name", "committee__code")
    list_select_related = ("committee",)


@admin.register(aid.GovernanceRecord)
class GovernanceRecordAdmin(SimpleHistoryAdmin):
    list_display = ("village", "committee", "kind", "count", "done_on")
    list_filter = ("kind",)
    search_fields = ("village__name", "committee__name", "committee__code")
    list_select_related = ("committee", "village")
    raw_id_fields = ("village",)
