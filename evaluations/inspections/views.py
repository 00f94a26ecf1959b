"""Inspection, rectification and rubric pages.

Who does what (DESIGN §2; the rules live in twinning.permissions):
- record and correct inspections: whoever may `inspect` the committee — its assigned
  inspectors, the town's staff, the department;
- submit a rectification's evidence: whoever may `manage` the committee — its secretary (and
  town and department staff on its behalf);
- close a rectification or send its evidence back: whoever may `inspect` the committee;
- edit the rubric: the department; leaders see none of these pages.
"""

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from branches.models import Town
from evaluations.inspections import selectors, services
from evaluations.inspections.forms import (
    EvidenceForm,
    InspectionFilterForm,
    InspectionForm,
    RectificationFilterForm,
    RectificationFormSet,
    ReviewForm,
    RubricFormSet,
)
from evaluations.inspections.models import (
    Inspection,
    InspectionCriterion,
    InspectionScore,
    Rectification,
)
from evaluations.inspections.validators import INLINE_TYPES
from twinning.shared import permissions
from twinning.shared.audit import audit_trail
from twinning.shared.child_rows import bind_rows, rows_from_formset
from twinning.shared.lookups import filtered_list, get_visible, require
from twinning.shared.sorting import Sorting
from twinning.shared.writes import attempt, run

INSPECTIONS = Inspection.objects.select_related("committee", "committee__town", "recorded_by")
RECTIFICATIONS = Rectification.objects.select_related(
    "committee", "committee__town", "inspection", "submitted_by", "closed_by"
)


def _filter_form(request: HttpRequest, form_class: type) -> Any:
    """A list's filter form bound to the query string, offering the towns within reach."""
    towns = permissions.visible(request.user, Town.objects.all())
    return form_class(request.GET or None, towns=towns)


def _audit(request: HttpRequest, *histories) -> dict:
    return {"audit": audit_trail(*histories)} if permissions.can(request.user, "admin") else {}


# Sortable columns of the inspection and rectification lists (whitelists: key -> fields).
INSPECTION_SORTS = {
    "period": ("period", "committee__code"),
    "committee": ("committee__name", "committee__code", "period"),
    "town": ("committee__town__code", "committee__code", "period"),
    "visited_on": ("visited_on", "committee__code"),
    "total": ("total", "committee__code"),
    "items": ("open_items", "items", "committee__code"),
}
RECTIFICATION_SORTS = {
    "description": ("description",),
    "committee": ("committee__name", "committee__code", "due_on"),
    "owner": ("owner", "due_on"),
    "due_on": ("due_on", "committee__code"),
    "status": ("stage", "due_on"),
}


def inspection_list(request: HttpRequest) -> HttpResponse:
    require(request, "view")
    user = request.user
    form = _filter_form(request, InspectionFilterForm)
    sorting = Sorting(request, INSPECTION_SORTS)
    return render(
        request,
        "evaluations/inspections/inspection_list.html",
        {
            **filtered_list(request, form,
                            lambda f: sorting.apply(selectors.inspection_list(user, f))),
            "sorting": sorting,
            "can_create": selectors.inspectable_committees(user).exists(),
        },
    )


def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_visible(request, INSPECTIONS, pk=pk)
    context = {
        "inspection": inspection,
        "can_edit": permissions.can(request.user, "inspect", inspection),
        **selectors.inspection_detail(inspection),
        **_audit(
            request,
            inspection.history.all(),
            InspectionScore.history.filter(inspection_id=inspection.pk),
            Rectification.history.filter(inspection_id=inspection.pk),
        ),
    }
    return render(request, "evaluations/inspections/inspection_detail.html", context)


@require_http_methods(["GET", "POST"])
def inspection_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Record an inspection (no `pk`) or correct one, with its rectification items."""
    if pk is None:
        inspection, committees = None, selectors.inspectable_committees(request.user)
        if not committees.exists():
            raise PermissionDenied
        initial = {"committee": committees.filter(code=request.GET.get("committee")).first(),
                   "visited_on": timezone.localdate()}
        open_items = Rectification.objects.none()
    else:
        inspection = get_visible(request, INSPECTIONS, "inspect", pk=pk)
        committees, open_items = None, inspection.rectifications.open()
        initial = {"visited_on": inspection.visited_on, "team": inspection.team,
                   "findings": inspection.findings}
    data = request.POST if request.method == "POST" else None
    form = InspectionForm(
        data, lines=selectors.scoring_lines(inspection), committees=committees, initial=initial
    )
    formset, valid = bind_rows(form, RectificationFormSet, queryset=open_items,
                               date_field="visited_on")
    if valid:
        values = form.cleaned_data
        saved = attempt(
            form,
            services.inspection_save,
            inspection=inspection,
            committee=values.get("committee") or inspection.committee,
            visited_on=values["visited_on"],
            team=values["team"],
            findings=values["findings"],
            scores=form.scores(),
            rectifications=rows_from_formset(formset, services.RECTIFICATION_FIELDS),
            user=request.user,
        )
        if saved is not None:
            messages.success(request, _("已保存督查记录：%(name)s。") % {"name": saved})
            return redirect(saved)
    closed = [] if inspection is None else list(
        inspection.rectifications.exclude(status=Rectification.Status.OPEN)
    )
    return render(
        request,
        "evaluations/inspections/inspection_form.html",
        {"form": form, "formset": formset, "inspection": inspection, "closed_items": closed},
    )


def rectification_list(request: HttpRequest) -> HttpResponse:
    require(request, "view")
    user, today = request.user, timezone.localdate()
    form = _filter_form(request, RectificationFilterForm)
    sorting = Sorting(request, RECTIFICATION_SORTS)
    return render(
        request,
        "evaluations/inspections/rectification_list.html",
        {
            **filtered_list(request, form,
                            lambda f: sorting.apply(selectors.rectification_list(user, f, today))),
            "sorting": sorting,
            "counts": selectors.rectification_counts(user, today),
        },
    )


def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible(request, RECTIFICATIONS, pk=pk)
    user = request.user
    context = {
        "item": item,
        "can_submit": not item.is_closed and permissions.can(user, "manage", item),
        "can_review": not item.is_closed and permissions.can(user, "inspect", item),
        **_audit(request, item.history.all()),
    }
    return render(request, "evaluations/inspections/rectification_detail.html", context)


def _still_open(request: HttpRequest, item: Rectification) -> bool:
    if item.is_closed:
        messages.info(
            request, _("该整改事项已于%(date)s销号。") % {"date": item.closed_on.isoformat()}
        )
    return not item.is_closed


@require_http_methods(["GET", "POST"])
def rectification_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee's side: what was done, with a file, and a request to close."""
    item = get_visible(request, RECTIFICATIONS, "manage", pk=pk)
    if not _still_open(request, item):
        return redirect(item)
    form = EvidenceForm(request.POST or None, request.FILES or None,
                        initial={"evidence": item.evidence})
    if request.method == "POST" and form.is_valid():
        if attempt(
            form,
            services.rectification_submit,
            rectification=item,
            evidence=form.cleaned_data["evidence"],
            evidence_file=form.cleaned_data["evidence_file"] or None,
            user=request.user,
        ):
            messages.success(request, _("已提交整改情况，等待督查组审核销号。"))
            return redirect(item)
    return render(request, "evaluations/inspections/rectification_action.html",
                  {"form": form, "item": item, "action": "submit"})


@require_http_methods(["GET", "POST"])
def rectification_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The inspecting side: close the item, or send the evidence back with a reason."""
    item = get_visible(request, RECTIFICATIONS, "inspect", pk=pk)
    if not _still_open(request, item):
        return redirect(item)
    today = timezone.localdate()
    form = ReviewForm(request.POST or None, submitted=item.submitted_on is not None, today=today)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        if values["decision"] == ReviewForm.CLOSE:
            saved = attempt(
                form, services.rectification_close,
                rectification=item, closed_on=values["closed_on"], note=values["note"],
                user=request.user, today=today,
            )
            done = _("整改事项已销号。")
        else:
            saved = attempt(form, services.rectification_return,
                            rectification=item, reason=values["note"], user=request.user)
            done = _("已退回，整改单位将看到退回原因。")
        if saved is not None:
            messages.success(request, done)
            return redirect(item)
    return render(request, "evaluations/inspections/rectification_action.html",
                  {"form": form, "item": item, "action": "review"})


def rectification_file(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file, to those who may see the item; never served from a public folder."""
    item = get_visible(request, Rectification.objects.all(), pk=pk)
    if not item.evidence_file:
        raise Http404
    name = item.evidence_file_name
    try:
        handle = item.evidence_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, filename=name, as_attachment=PurePath(name).suffix.lower() not in INLINE_TYPES
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def rubric_edit(request: HttpRequest) -> HttpResponse:
    """The department's page for the inspection rubric."""
    require(request, "edit_rubric")
    criteria = InspectionCriterion.objects.all()
    next_order = max((c.order for c in criteria), default=0) + 1
    formset = RubricFormSet(request.POST or None, queryset=criteria, prefix="criteria",
                            initial=[{"order": next_order}])
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        outcome = run(services.rubric_save,
                      rows=rows_from_formset(formset, services.CRITERION_FIELDS))
        errors = outcome.messages
        if outcome.error is None:
            messages.success(request, _("督查评分标准已保存。"))
            return redirect("inspection_rubric")
    return render(
        request,
        "evaluations/inspections/rubric_form.html",
        {"formset": formset, "errors": errors,
         "rubric_total": sum(c.max_score for c in criteria if c.active),
         **_audit(request, InspectionCriterion.history.all())},
    )
