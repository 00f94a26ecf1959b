from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from branches.models import Branch, Town
from reports.bulletins.selectors import latest_published_bulletin

from . import memo, permissions, reminders, selectors, services
from .audit import audit_trail, personal_data_read
from .forms import AccessLogFilterForm, AddVillageForm, CommitteeForm, LeaveForm
from .models import CommitteeVillage, JointCommittee, Role
from .monthly import rules
from .monthly import selectors as monthly_selectors
from .pages import attempt, filtered_list, get_visible, paginate


def _get_committee(request: HttpRequest, code: str, action: str = "view") -> JointCommittee:
    """The committee if the user may see it (else 404) and may do `action` on it (else 403)."""
    return get_visible(
        request, JointCommittee.objects.select_related("urban", "town"), action, code=code
    )


def _require(request: HttpRequest, action: str) -> None:
    if not permissions.can(request.user, action):
        raise PermissionDenied


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
        context["headline"] = memo.remember("headline", selectors.headline_figures, committees,
                                            villages)
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


def committee_list(request: HttpRequest) -> HttpResponse:
    if permissions.role_of(request.user) == Role.LEADER:
        raise PermissionDenied
    page = paginate(request, selectors.committee_list(request.user, request.GET))
    return render(
        request,
        "twinning/committee_list.html",
        {
            "page": page,
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
    return render(request, "twinning/committee_detail.html", context)


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
    _require(request, "create")
    form = CommitteeForm(request.POST or None, **_committee_form_choices(request))
    if request.method == "POST" and form.is_valid():
        committee = attempt(form, services.committee_create, **form.cleaned_data)
        if committee is not None:
            messages.success(
                request, _("已建立联合党组织「%(name)s」。") % {"name": committee.name}
            )
            return redirect(committee)
    return render(request, "twinning/committee_form.html", {"form": form, "creating": True})


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
    return render(request, "twinning/committee_form.html", {"form": form, "committee": committee})


@require_http_methods(["GET", "POST"])
def committee_add_village(request: HttpRequest, code: str) -> HttpResponse:
    committee = _get_committee(request, code, "change")
    form = AddVillageForm(
        request.POST or None, village_qs=selectors.free_villages([committee.town_id])
    )
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form, services.committee_add_village, committee=committee, **form.cleaned_data
        )
        if saved is not None:
            messages.success(
                request, _("「%(name)s」已加入。") % {"name": form.cleaned_data["village"].name}
            )
            return redirect(committee)
    return render(
        request, "twinning/committee_village_add.html", {"form": form, "committee": committee}
    )


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
        "twinning/committee_confirm.html",
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
        request, "twinning/committee_confirm.html", {"form": form, "committee": committee}
    )


def personal_data_log(request: HttpRequest) -> HttpResponse:
    """Who read members' personal data, when, on which page or export (the department's)."""
    _require(request, "admin")
    form = AccessLogFilterForm(request.GET or None)
    return render(request, "twinning/personal_data_log.html", filtered_list(
        request, form, selectors.personal_data_reads))
