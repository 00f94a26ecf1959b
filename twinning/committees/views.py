from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from branches.models import Branch, Town
from twinning.committees import selectors, services
from twinning.committees.forms import AddVillageForm, CommitteeForm, LeaveForm
from twinning.committees.models import CommitteeVillage, JointCommittee
from twinning.shared import permissions
from twinning.shared.audit import audit_trail, personal_data_read
from twinning.shared.kept_pages import kept_page
from twinning.shared.lookups import get_visible, paginate, require
from twinning.shared.sorting import Sorting
from twinning.shared.writes import attempt

FORM = "twinning/committees/committee_form.html"
CONFIRM = "twinning/committees/committee_confirm.html"


def _get_committee(request: HttpRequest, code: str, action: str = "view") -> JointCommittee:
    """The committee if the user may see it (else 404) and may do `action` on it (else 403)."""
    return get_visible(
        request, JointCommittee.objects.select_related("urban", "town"), action, code=code
    )


# Sortable columns of the committee list (a whitelist: key -> fields).
COMMITTEE_SORTS = {"name": ("name", "code"), "town": ("town__code", "code"),
                   "urban": ("urban__name", "code"), "form": ("form", "code"),
                   "formation": ("formation", "code")}


@kept_page
def committee_list(request: HttpRequest) -> HttpResponse:
    require(request, "view")
    sorting = Sorting(request, COMMITTEE_SORTS)
    # Read only if the list's fragment is not kept ({% kept %} in the template).
    page = SimpleLazyObject(lambda: paginate(
        request, sorting.apply(selectors.committee_list(request.user, request.GET))))
    return render(
        request,
        "twinning/committees/committee_list.html",
        {
            "page": page,
            # The whole query: filters, sort and page, which the headers and pager repeat.
            "kept_by": request.GET.urlencode(),
            "sorting": sorting,
            "towns": permissions.visible(request.user, Town.objects.all()),
            "forms": JointCommittee.Form.choices,
            "formations": JointCommittee.Formation.choices,
            "params": request.GET,
            "can_create": permissions.can(request.user, "create"),
        },
    )


def committee_detail(request: HttpRequest, code: str) -> HttpResponse:
    committee = _get_committee(request, code)
    user = request.user
    context = {
        "committee": committee,
        "can_change": permissions.can(user, "change", committee),
        "can_view_members": permissions.can(user, "view_members", committee),
        "can_view_updates": permissions.can(user, "view_updates", committee),
        **selectors.committee_detail(
            committee, with_members=permissions.can(user, "view_members", committee)
        ),
    }
    if context["officers"]:
        personal_data_read(request, _("联合党组织班子成员"),
                           [o.member.pk for o in context["officers"]])
    if permissions.can(user, "admin"):
        context["audit"] = audit_trail(
            committee.history.all(),
            CommitteeVillage.history.filter(committee_id=committee.pk),
        )
    return render(request, "twinning/committees/committee_detail.html", context)


def _committee_form_choices(
    request: HttpRequest, committee: JointCommittee | None = None
) -> dict:
    towns = permissions.visible(request.user, Town.objects.all())
    urban = permissions.urban_choices(request.user)
    if committee is not None:
        # The urban side the department chose stays selectable when town staff edit.
        urban = urban | Branch.objects.filter(pk=committee.urban_id)
    return {
        "urban_qs": urban,
        "village_qs": selectors.free_villages(towns.values("id")),
    }


@require_http_methods(["GET", "POST"])
def committee_create(request: HttpRequest) -> HttpResponse:
    require(request, "create")
    form = CommitteeForm(request.POST or None, **_committee_form_choices(request))
    if request.method == "POST" and form.is_valid():
        committee = attempt(form, services.committee_create, **form.cleaned_data)
        if committee is not None:
            messages.success(
                request, _("已建立联合党组织「%(name)s」。") % {"name": committee.name}
            )
            return redirect(committee)
    return render(request, FORM, {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
def committee_edit(request: HttpRequest, code: str) -> HttpResponse:
    committee = _get_committee(request, code, "change")
    initial = {
        "name": committee.name,
        "urban": committee.urban,
        "formation": committee.formation,
        "established_on": committee.established_on,
    }
    form = CommitteeForm(
        request.POST or None, initial=initial, editing=True,
        **_committee_form_choices(request, committee),
    )
    if request.method == "POST" and form.is_valid():
        saved = attempt(form, services.committee_update, committee=committee, **form.cleaned_data)
        if saved is not None:
            messages.success(request, _("已保存。"))
            return redirect(committee)
    return render(request, FORM, {"form": form, "committee": committee})


@require_http_methods(["GET", "POST"])
def committee_add_village(request: HttpRequest, code: str) -> HttpResponse:
    committee = _get_committee(request, code, "change")
    form = AddVillageForm(request.POST or None, committee=committee,
                          village_qs=selectors.village_choices(committee))
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form, services.committee_add_village, committee=committee, **form.cleaned_data
        )
        if saved is not None:
            messages.success(
                request, _("「%(name)s」已加入。") % {"name": form.cleaned_data["village"].name}
            )
            return redirect(committee)
    return render(request, "twinning/committees/committee_village_add.html",
                  {"form": form, "committee": committee})


@require_http_methods(["GET", "POST"])
def committee_remove_village(request: HttpRequest, code: str, village_code: str) -> HttpResponse:
    committee = _get_committee(request, code, "change")
    membership = get_object_or_404(
        CommitteeVillage.objects.select_related("village"),
        committee=committee,
        village__code=village_code,
        left_on__isnull=True,
    )
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form,
            services.committee_remove_village,
            committee=committee,
            village=membership.village,
            left_on=form.cleaned_data["date"],
            reason=form.cleaned_data["reason"],
        )
        if saved is not None:
            messages.success(request, _("「%(name)s」已退出。") % {"name": membership.village.name})
            return redirect(committee)
    return render(
        request,
        CONFIRM,
        {"form": form, "committee": committee, "village": membership.village},
    )


@require_http_methods(["GET", "POST"])
def committee_dissolve(request: HttpRequest, code: str) -> HttpResponse:
    committee = _get_committee(request, code, "change")
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form,
            services.committee_dissolve,
            committee=committee,
            dissolved_on=form.cleaned_data["date"],
            reason=form.cleaned_data["reason"],
        )
        if saved is not None:
            messages.success(
                request, _("联合党组织「%(name)s」已撤销。") % {"name": committee.name}
            )
            return redirect(committee)
    return render(
        request, CONFIRM, {"form": form, "committee": committee}
    )


