from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from branches import selectors, services
from branches.forms import BranchForm, MemberForm
from branches.models import Branch, Member, Town
from twinning.shared import permissions
from twinning.shared.audit import audit_trail, personal_data_read
from twinning.shared.lookups import get_visible, paginate, require
from twinning.shared.sorting import Sorting
from twinning.shared.writes import attempt


def _writable_towns(request: HttpRequest):
    return permissions.visible(request.user, Town.objects.all())


# Sortable columns of the branch and member lists (whitelists: key -> fields).
BRANCH_SORTS = {"name": ("name", "code"), "kind": ("kind", "code"),
                "town": ("town__code", "code"), "members": ("member_count", "code")}
MEMBER_SORTS = {"name": ("name", "number"), "role": ("role", "name"),
                "branch": ("branch__name", "name"),
                "town": ("branch__town__code", "branch__code", "name"),
                "joined_on": ("joined_on", "name")}


def branch_list(request: HttpRequest) -> HttpResponse:
    require(request, "view")
    sorting = Sorting(request, BRANCH_SORTS)
    page = paginate(request, sorting.apply(selectors.branch_list(request.user, request.GET)))
    if any(branch.personal and branch.secretary for branch in page.object_list):
        personal_data_read(request, _("党组织书记姓名"), [])
    return render(
        request,
        "branches/branch_list.html",
        {
            "page": page,
            "sorting": sorting,
            "params": request.GET,
            "kinds": Branch.Kind.choices,
            "towns": _writable_towns(request),
            "can_create": permissions.can(request.user, "create"),
        },
    )


def branch_detail(request: HttpRequest, code: str) -> HttpResponse:
    branch = get_visible(request, Branch.objects.select_related("town"), code=code)
    user = request.user
    show_members = permissions.can(user, "view_members", branch)
    context = {
        "branch": branch,
        "can_change": permissions.can(user, "change", branch),
        "show_personal": show_members,
        "members": list(branch.members.all()) if show_members else None,
        **selectors.branch_detail(branch),
    }
    if show_members:
        personal_data_read(request, _("党组织党员名单"), [m.pk for m in context["members"]])
    if permissions.can(user, "admin"):
        context["audit"] = audit_trail(branch.history.all())
    return render(request, "branches/branch_detail.html", context)


@require_http_methods(["GET", "POST"])
def branch_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    if code is None:
        if not permissions.can(request.user, "create"):
            raise PermissionDenied
        branch = None
    else:
        branch = get_visible(request, Branch.objects.all(), "change", code=code)
    form = BranchForm(request.POST or None, instance=branch, town_qs=_writable_towns(request),
                      offers=permissions.can(request.user, "offer"))
    if request.method == "POST" and form.is_valid():
        saved = attempt(form, services.branch_save, branch=branch, **form.cleaned_data)
        if saved is not None:
            messages.success(request, _("已保存党组织「%(name)s」。") % {"name": saved.name})
            return redirect(saved)
    return render(request, "branches/branch_form.html", {"form": form, "branch": branch})


def member_list(request: HttpRequest) -> HttpResponse:
    require(request, "view_member_data")
    sorting = Sorting(request, MEMBER_SORTS)
    page = paginate(request, sorting.apply(selectors.member_list(request.user, request.GET)))
    personal_data_read(request, _("党员名册"), [m.pk for m in page.object_list])
    return render(
        request,
        "branches/member_list.html",
        {
            "page": page,
            "sorting": sorting,
            "params": request.GET,
            "roles": Member.Role.choices,
            "can_create": permissions.can(request.user, "create"),
        },
    )


def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_visible(request, Member.objects.select_related("branch"), pk=pk)
    personal_data_read(request, _("党员详情"), [member.pk])
    context = {"member": member, "can_change": permissions.can(request.user, "change", member)}
    if permissions.can(request.user, "admin"):
        context["audit"] = audit_trail(member.history.all())
    return render(request, "branches/member_detail.html", context)


@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        if not permissions.can(request.user, "create"):
            raise PermissionDenied
        member = None
    else:
        member = get_visible(request, Member.objects.select_related("branch"), "change", pk=pk)
    branches = selectors.member_branch_choices(request.user)
    initial = {"branch": Branch.objects.filter(code=request.GET.get("branch")).first()}
    form = MemberForm(
        request.POST or None,
        instance=member,
        branch_qs=branches,
        initial=initial if member is None else None,
    )
    if request.method == "POST" and form.is_valid():
        saved = attempt(form, services.member_save, member=member, **form.cleaned_data)
        if saved is not None:
            messages.success(request, _("已保存党员「%(name)s」。") % {"name": saved.name})
            return redirect(saved)
    return render(request, "branches/member_form.html", {"form": form, "member": member})
