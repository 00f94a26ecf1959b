from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from twinning.advisor.models import AdvisorSettings, PairRule, ProposalRejection, WarningSettings


@admin.register(AdvisorSettings, WarningSettings)
class SettingsAdmin(SimpleHistoryAdmin):
    pass


@admin.register(PairRule)
class PairRuleAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "urban", "village"]
    list_filter = ["kind"]
    autocomplete_fields = ["urban", "village"]


@admin.register(ProposalRejection)
class ProposalRejectionAdmin(SimpleHistoryAdmin):
    list_display = ["urban", "villages", "rejected_on"]
    autocomplete_fields = ["urban"]
