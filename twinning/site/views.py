from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from branches.models import Branch, Town
from reports.selectors import latest_published_bulletin
from twinning.committees import selectors
from twinning.committees.models import JointCommittee
from twinning.monthly import rules
from twinning.monthly import selectors as monthly_selectors
from twinning.shared import kept_figures, permissions, reminders
from twinning.shared.lookups import filtered_list
from twinning.shared.models import Role
from twinning.site.forms import AccessLogFilterForm


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    role = permissions.role_of(user)
    context: dict = {"role": role}
    if role == Role.LEADER:
        committees, villages = JointCommittee.objects.all(), Branch.objects.all()
    else:
        committees = permissions.visible(user, JointCommittee.objects.all())
        villages = permissions.visible(user, Branch.objects.all())
    if role in (Role.DEPARTMENT, Role.TOWN, Role.LEADER):
        context["headline"] = kept_figures.remember(
            "headline", selectors.headline_figures, committees, villages
        )
    if role in (Role.SECRETARY, Role.INSPECTOR, Role.TOWN):
        context["my_committees"] = list(
            committees.filter(dissolved_on__isnull=True)
            .select_related("urban", "town")
            .prefetch_related(selectors.active_memberships())[:20]
        )
    if role == Role.TOWN:
        context["my_towns"] = list(permissions.visible(user, Town.objects.all()))
    context["latest_bulletin"] = latest_published_bulletin()
    today = timezone.localdate()
    context["todo"] = reminders.todo_for(user, today)
    if role == Role.SECRETARY:
        context["due_months"] = monthly_selectors.due_months_for_secretary(user, today)
    if role in (Role.DEPARTMENT, Role.TOWN):
        context["filing"] = monthly_selectors.kept_filing_counts(
            committees, rules.last_due_period(today), today
        )
    return render(request, "twinning/home.html", context)


def personal_data_log(request: HttpRequest) -> HttpResponse:
    """Who read members' personal data, when, on which page or export (the department's)."""
    if not permissions.can(request.user, "admin"):
        raise PermissionDenied
    form = AccessLogFilterForm(request.GET or None)
    return render(request, "twinning/personal_data_log.html", filtered_list(
        request, form, selectors.personal_data_reads))


