from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from branches.models import Branch, Town
from reports.bulletins.selectors import latest_published_bulletin
from reports.dashboard.selectors import dashboard_data, month_changes
from twinning.committees import selectors
from twinning.committees.models import JointCommittee
from twinning.monthly import rules
from twinning.monthly import selectors as monthly_selectors
from twinning.shared import kept_figures, permissions, reminders
from twinning.shared.audit import personal_data_reads
from twinning.shared.kept_pages import kept_page
from twinning.shared.lookups import filtered_list
from twinning.shared.periods import previous_month
from twinning.site.forms import AccessLogFilterForm


@kept_page
def home(request: HttpRequest) -> HttpResponse:
    """Each role's first page. Everything below the greeting is one fragment kept until the data
    changes ({% kept "home" %}), so each figure is gathered only when the fragment is rendered
    (`SimpleLazyObject`); the conditions that decide what the page holds stay here."""
    user = request.user
    may = permissions.Abilities(user)
    context: dict = {}
    if may["view_city_figures"]:
        committees, villages = JointCommittee.objects.all(), Branch.objects.all()
    else:
        committees = permissions.visible(user, JointCommittee.objects.all())
        villages = permissions.visible(user, Branch.objects.all())
    today = timezone.localdate()
    if may["follow_month_changes"]:
        # The dashboard's figures of the last month (the same kept figures it shows).
        period = previous_month(today)
        data = SimpleLazyObject(lambda: dashboard_data(
            period, committees, villages.filter(kind=Branch.Kind.VILLAGE)))
        context["headline"] = SimpleLazyObject(lambda: data.overview.headline)
        context["changes"] = SimpleLazyObject(lambda: {
            "period": period, "before": previous_month(period), "rows": month_changes(data)})
    elif may["view_headline"]:
        context["headline"] = SimpleLazyObject(lambda: kept_figures.remember(
            "headline", selectors.headline_figures, committees, villages
        ))
    if may["list_own_committees"]:
        context["my_committees"] = SimpleLazyObject(lambda: list(
            committees.filter(dissolved_on__isnull=True)
            .select_related("urban", "town")
            .prefetch_related(selectors.active_memberships())[:20]
        ))
    if may["list_own_towns"]:
        context["my_towns"] = SimpleLazyObject(
            lambda: list(permissions.visible(user, Town.objects.all())))
    context["latest_bulletin"] = SimpleLazyObject(latest_published_bulletin)
    context["todo"] = SimpleLazyObject(lambda: reminders.todo_for(user, today))
    if may["file"]:
        context["due_months"] = SimpleLazyObject(
            lambda: monthly_selectors.due_months_for_secretary(user, today))
    if may["view_completeness"]:
        context["filing"] = SimpleLazyObject(lambda: monthly_selectors.kept_filing_counts(
            committees, rules.last_due_period(today), today
        ))
    return render(request, "twinning/site/home.html", context)


def personal_data_log(request: HttpRequest) -> HttpResponse:
    """Who read members' personal data, when, on which page or export (the department's)."""
    if not permissions.can(request.user, "admin"):
        raise PermissionDenied
    form = AccessLogFilterForm(request.GET or None)
    return render(request, "twinning/site/personal_data_log.html", filtered_list(
        request, form, personal_data_reads))


