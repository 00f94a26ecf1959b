import sys

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from branches.models import Branch, Town
from reports.bulletins.condense import town_tables
from reports.dashboard.selectors import dashboard_data, dashboard_payload
from twinning.committees.models import JointCommittee
from twinning.shared import kept_figures, permissions
from twinning.shared.kept_pages import kept_page
from twinning.shared.periods import chinese_period, format_period, parse_period, previous_month


@kept_page
def dashboard(request: HttpRequest) -> HttpResponse:
    """The bulletin's figures for any month, filtered by town and form, with charts."""
    if not permissions.can(request.user, "view_dashboard"):
        raise PermissionDenied
    user = request.user
    if permissions.can(user, "view_city_figures"):
        committees, villages = JointCommittee.objects.all(), Branch.objects.all()
        towns = Town.objects.all()
    else:
        committees = permissions.visible(user, JointCommittee.objects.all())
        villages = permissions.visible(user, Branch.objects.all())
        towns = permissions.visible(user, Town.objects.all())
    try:
        period = parse_period(request.GET["period"]) if request.GET.get("period") else None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        period = None
    period = period or previous_month(timezone.localdate())
    if request.GET.get("town"):
        committees = committees.filter(town__code=request.GET["town"])
        villages = villages.filter(town__code=request.GET["town"])
    if request.GET.get("form"):
        committees = committees.filter(form=request.GET["form"])
    villages = villages.filter(kind=Branch.Kind.VILLAGE)
    # Gathered (or read back from the kept figures) only if the page's fragment is not kept.
    data = SimpleLazyObject(lambda: dashboard_data(period, committees, villages))
    # The tables by town show their top and bottom (150 towns at ten times the city) unless
    # the user asked for every town.
    whole = request.GET.get("town_rows") == "all"
    return render(
        request, "reports/dashboard/dashboard.html",
        {"data": data, "chart_data": kept_figures.later(dashboard_payload, data),
         "town_tables": kept_figures.later(town_tables, data, sys.maxsize if whole else None),
         "kept_by": (period, committees, villages, whole), "towns": towns,
         "forms": JointCommittee.Form.choices, "params": request.GET,
         "period_param": format_period(period), "period_label": chinese_period(period)},
    )
