"""Pages for aid projects, mutual-help records and the outcomes they add up to.

Record pages are generic over the kinds of `twinning.aid.record_kinds`: one list (a tab of the
committee's page), one add, one change and one delete view serve every kind.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from branches.models import Town
from twinning.aid import selectors, services
from twinning.aid.models import AidProject, InfrastructureOutput, Mechanism, ProjectProgress
from twinning.aid.outcomes import TimeScope, outcomes
from twinning.aid.record_kinds import COMMITTEE, COMMITTEE_TABS, KINDS, PROJECT, RecordKind
from twinning.committees.models import JointCommittee
from twinning.committees.views import _get_committee
from twinning.shared import kept_figures, permissions
from twinning.shared.audit import audit_trail, personal_data_read
from twinning.shared.kept_pages import kept_page
from twinning.shared.lookups import get_visible, paginate, require
from twinning.shared.writes import attempt, press

PROJECTS = KINDS["projects"]


def _kind(slug: str, parent: str | None = None) -> RecordKind:
    kind = KINDS.get(slug)
    if kind is None or (parent is not None and kind.parent != parent):
        raise Http404
    return kind


def _get_record(request: HttpRequest, kind: RecordKind, pk: int, action: str = "view") -> Model:
    """The record if the user may see it (else 404) and may do `action` on it (else 403)."""
    return get_visible(request, kind.queryset(), action, pk=pk)


def _committee_page(committee: JointCommittee, kind: RecordKind) -> str:
    return reverse("committee_records", args=[committee.code, kind.slug])


def _back_to(kind: RecordKind, record: Model) -> str:
    """The page a record's form, confirmation or deletion leads back to: its project's page,
    the project's own page, or the committee's tab of the kind (a new or deleted project,
    having no primary key, goes to the tab)."""
    if kind.parent == PROJECT:
        return record.project.get_absolute_url()
    if kind is PROJECTS and record.pk:
        return record.get_absolute_url()
    return _committee_page(record.committee, kind)


def _scope(request: HttpRequest) -> TimeScope:
    try:
        return TimeScope.from_params(request.GET, today=timezone.localdate())
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return TimeScope.since_start()


def _filters(request: HttpRequest, scope: TimeScope) -> dict:
    return {
        "scope": scope,
        "params": request.GET,
        "years": selectors.programme_years(timezone.localdate()),
    }


def project_list(request: HttpRequest) -> HttpResponse:
    require(request, "view")
    projects = selectors.project_list(request.user, request.GET)
    return render(request, "twinning/aid/project_list.html", {
        "page": paginate(request, projects),
        "invested": selectors.invested(projects),
        "params": request.GET,
        "towns": permissions.visible(request.user, Town.objects.all()),
        "committees": permissions.visible(request.user, JointCommittee.objects.all()).only(
            "code", "name"),
        "categories": AidProject.Category.choices,
        "mechanisms": Mechanism.choices,
        "statuses": AidProject.Status.choices,
    })


def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_record(request, PROJECTS, pk)
    user = request.user
    context = {
        "project": project,
        "committee": project.committee,
        "can_manage": permissions.can(user, "manage", project),
        "is_infrastructure": project.category == AidProject.Category.INFRASTRUCTURE,
        **selectors.project_detail(project),
    }
    if permissions.can(user, "admin"):
        context["audit"] = audit_trail(
            project.history.all(),
            ProjectProgress.history.filter(project_id=project.pk),
            InfrastructureOutput.history.filter(project_id=project.pk),
        )
    return render(request, "twinning/aid/project_detail.html", context)


def committee_records(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    committee = _get_committee(request, code)
    record_kind = _kind(kind, COMMITTEE)
    records = selectors.committee_records(record_kind, committee, request.GET)
    show_names = permissions.can(request.user, "view_members", committee)
    page = paginate(request, records)
    # Secondments and pairings name members: reading them is recorded.
    named = [getattr(row, attr) for row in page.object_list
             for attr in ("member_id", "urban_member_id", "village_member_id")
             if getattr(row, attr, None)]
    if show_names and named:
        personal_data_read(request, _("挂职与结对名单"), named)
    filters = [(name, label, choices, request.GET.get(name, ""))
               for name, label, choices in record_kind.choices()]
    return render(request, "twinning/aid/committee_records.html", {
        "committee": committee,
        "kind": record_kind,
        "tabs": COMMITTEE_TABS,
        "page": page,
        "params": request.GET,
        "choice_filters": filters,
        "filtered": bool(request.GET.get("year")) or any(f[3] for f in filters),
        "years": selectors.programme_years(timezone.localdate()),
        "can_manage": permissions.can(request.user, "manage", committee),
        "show_names": show_names,
    })


def _edit(request: HttpRequest, kind: RecordKind, record: Model, parent: dict,
          committee: JointCommittee, creating: bool) -> HttpResponse:
    """Show the kind's form; on a valid POST call its service and go back to the parent."""
    form = kind.form(request.POST or None, instance=record, committee=committee)
    if request.method == "POST" and form.is_valid():
        saved = attempt(form, kind.save, record=None if creating else record, **parent,
                        **form.cleaned_data)
        if saved is not None:
            messages.success(request, _("已保存%(kind)s。") % {"kind": kind.label})
            return redirect(_back_to(kind, saved))
    return render(request, "twinning/aid/record_form.html", {
        "form": form, "kind": kind, "committee": committee, "creating": creating,
        "project": parent.get("project"), "back": _back_to(kind, record),
    })


@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    committee = _get_committee(request, code, "manage")
    record_kind = _kind(kind, COMMITTEE)
    return _edit(request, record_kind, record_kind.model(committee=committee),
                 {"committee": committee}, committee, creating=True)


@require_http_methods(["GET", "POST"])
def project_record_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    project = _get_record(request, PROJECTS, pk, "manage")
    record_kind = _kind(kind, PROJECT)
    return _edit(request, record_kind, record_kind.model(project=project),
                 {"project": project}, project.committee, creating=True)


def _parent(kind: RecordKind, record: Model) -> dict:
    return {"project": record.project} if kind.parent == PROJECT else {
        "committee": record.committee}


@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record_kind = _kind(kind)
    record = _get_record(request, record_kind, pk, "manage")
    return _edit(request, record_kind, record, _parent(record_kind, record), record.committee,
                 creating=False)


@require_http_methods(["GET", "POST"])
def record_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record_kind = _kind(kind)
    record = _get_record(request, record_kind, pk, "manage")
    if request.method == "POST":
        name = str(record)
        press(request, services.record_delete,
              lambda _done: _("已删除%(kind)s「%(name)s」。")
              % {"kind": record_kind.label, "name": name},
              record=record)
        return redirect(_back_to(record_kind, record))
    context = {"kind": record_kind, "record": record, "committee": record.committee,
               "back": _back_to(record_kind, record)}
    if record_kind is PROJECTS:
        context["dependents"] = (record.reports.count(), record.outputs.count())
    return render(request, "twinning/aid/record_confirm_delete.html", context)


def committee_outcomes(request: HttpRequest, code: str) -> HttpResponse:
    committee = _get_committee(request, code)
    scope = _scope(request)
    result = outcomes(JointCommittee.objects.filter(pk=committee.pk), scope)
    return render(request, "twinning/aid/outcomes.html", {
        "committee": committee, "outcomes": result, "tabs": COMMITTEE_TABS,
        "kept_by": (committee, scope),
        **_filters(request, scope),
    })


@kept_page
def outcomes_citywide(request: HttpRequest) -> HttpResponse:
    if not permissions.can(request.user, "view_dashboard"):
        raise PermissionDenied
    scope = _scope(request)
    committees = selectors.outcome_committees(request.user)
    if request.GET.get("town"):
        committees = committees.filter(town__code=request.GET["town"])
    if request.GET.get("form"):
        committees = committees.filter(form=request.GET["form"])
    return render(request, "twinning/aid/outcomes.html", {
        # Gathered only if the page's fragment is not kept ({% kept %}).
        "outcomes": SimpleLazyObject(
            lambda: kept_figures.remember("outcomes", outcomes, committees, scope)),
        "kept_by": (committees, scope),
        "own_town_only": permissions.can(request.user, "list_own_towns"),
        "towns": permissions.visible(request.user, Town.objects.all()),
        "forms": JointCommittee.Form.choices,
        **_filters(request, scope),
    })
