"""The early warning's pages: the flagged committees (each role within its reach) and the
thresholds (the department's)."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from branches.models import Town
from evaluations.warnings import selectors, services
from evaluations.warnings.forms import WarningSettingsForm
from twinning.committees.models import JointCommittee
from twinning.shared import permissions
from twinning.shared.lookups import paginate, require
from twinning.shared.writes import attempt


def _reach(request: HttpRequest) -> QuerySet:
    """The active committees whose flags the user may read: those they may see."""
    require(request, "view")
    return permissions.visible(request.user, JointCommittee.objects.filter(
        dissolved_on__isnull=True))


def warning_list(request: HttpRequest) -> HttpResponse:
    committees = _reach(request)
    if request.GET.get("town"):
        committees = committees.filter(town__code=request.GET["town"])
    rows = selectors.flagged_committees(committees, timezone.localdate())
    return render(request, "evaluations/warnings/warning_list.html", {
        "page": paginate(request, rows), "total": len(rows),
        "towns": permissions.visible(request.user, Town.objects.all()),
        "can_set": permissions.can(request.user, "advise"),
    })


@require_http_methods(["GET", "POST"])
def warning_settings(request: HttpRequest) -> HttpResponse:
    require(request, "edit_warning_settings")
    form = WarningSettingsForm(request.POST or None, instance=selectors.warning_settings())
    if request.method == "POST" and form.is_valid() and attempt(
        form, services.warning_settings_update, settings=form.save(commit=False)
    ):
        messages.success(request, _("预警设置已保存。"))
        return redirect("warning_list")
    return render(request, "evaluations/warnings/warning_settings.html", {"form": form})
