"""Pages for help to members rated 不合格 (专人重点帮促): the list of cases with their flags,
assigning a helper, dated follow-ups and closing a case."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from branches.models import Town
from evaluations.reviews import selectors, services
from evaluations.reviews.forms import FollowUpForm, HelpAssignForm, HelpCloseForm
from evaluations.reviews.models import HelpAssignment, HelpFollowUp, MemberReview, ReviewRound
from twinning.shared import permissions
from twinning.shared.audit import audit_trail, personal_data_read
from twinning.shared.lookups import paginate, require
from twinning.shared.writes import attempt


def _get_manageable(request: HttpRequest, qs, pk: int):
    """The object if the user may see it (else 404) and manage its committee (else 403)."""
    obj = get_object_or_404(permissions.visible(request.user, qs), pk=pk)
    if not permissions.can(request.user, "manage", obj):
        raise PermissionDenied
    return obj


def help_list(request: HttpRequest) -> HttpResponse:
    require(request, "view_member_data")
    user = request.user
    page = paginate(request, selectors.help_cases(user, request.GET))
    personal_data_read(request, _("帮促对象名单"), [r.member_id for r in page.object_list])
    return render(request, "evaluations/reviews/help_list.html", {
        "page": page,
        "flags": selectors.help_flags(user),
        "params": request.GET,
        "states": [("unassigned", _("未安排帮促人")), ("stale", _("超期未跟进")),
                   ("open", _("帮促中")), ("closed", _("已结束"))],
        "rounds": permissions.visible(user, ReviewRound.objects.all()),
        "towns": permissions.visible(user, Town.objects.all())
        if permissions.can(user, "pick_town") else [],
        "stale_days": selectors.stale_days(),
    })


@require_http_methods(["GET", "POST"])
def help_assign(request: HttpRequest, pk: int) -> HttpResponse:
    review = _get_manageable(
        request,
        MemberReview.objects.filter(rating=MemberReview.Rating.UNQUALIFIED).select_related(
            "round", "member", "member__branch", "committee"),
        pk,
    )
    assignment = HelpAssignment.objects.filter(review=review).first()
    if assignment is not None and not assignment.is_open:
        messages.error(request, _("该帮促已结束，不能再更换帮促人。"))
        return redirect(assignment)
    initial = {"assigned_on": timezone.localdate()}
    if assignment is not None:
        initial = {"helper": assignment.helper_id, "plan": assignment.plan,
                   "assigned_on": assignment.assigned_on}
    form = HelpAssignForm(
        request.POST or None, initial=initial, helper_qs=selectors.helper_choices(review)
    )
    if request.method == "POST" and form.is_valid():
        saved = attempt(form, services.help_assign, review=review, **form.cleaned_data,
                        user=request.user)
        if saved is not None:
            messages.success(request, _("已安排%(helper)s帮促%(member)s。") % {
                "helper": saved.helper.name, "member": review.member.name})
            return redirect(saved)
    personal_data_read(request, _("安排帮促人"), [review.member_id])
    return render(request, "evaluations/reviews/help_assign.html",
                  {"form": form, "review": review, "assignment": assignment})


@require_http_methods(["GET", "POST"])
def help_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A case: its plan and follow-ups; a new follow-up is posted here."""
    assignment = get_object_or_404(
        permissions.visible(request.user, HelpAssignment.objects.select_related(
            "review", "review__round", "review__member", "review__member__branch",
            "review__committee", "helper", "helper__branch", "assigned_by")),
        pk=pk,
    )
    user = request.user
    can_manage = permissions.can(user, "manage", assignment)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if not assignment.is_open:
            messages.error(request, _("该帮促已结束。"))
            return redirect(assignment)
        if form.is_valid():
            if attempt(form, services.help_follow_up_add, assignment=assignment,
                       **form.cleaned_data, user=user):
                messages.success(request, _("已记录跟进情况。"))
                return redirect(assignment)
    personal_data_read(request, _("帮促详情"), [assignment.review.member_id])
    context = {
        "assignment": assignment,
        "review": assignment.review,
        "follow_ups": list(assignment.follow_ups.select_related("recorded_by")),
        "form": form,
        "can_manage": can_manage and assignment.is_open,
        "stale": assignment.is_open
        and assignment.last_activity_on < selectors.stale_cutoff(),
        "stale_days": selectors.stale_days(),
    }
    if permissions.can(user, "admin"):
        context["audit"] = audit_trail(
            assignment.history.all(), HelpFollowUp.history.filter(assignment_id=assignment.pk)
        )
    return render(request, "evaluations/reviews/help_detail.html", context)


@require_http_methods(["GET", "POST"])
def help_close(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _get_manageable(
        request,
        HelpAssignment.objects.select_related("review", "review__member", "review__committee"),
        pk,
    )
    if not assignment.is_open:
        messages.error(request, _("该帮促已结束。"))
        return redirect(assignment)
    form = HelpCloseForm(request.POST or None, initial={"closed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        if attempt(form, services.help_close, assignment=assignment, **form.cleaned_data):
            messages.success(request, _("帮促已结束。"))
            return redirect(assignment)
    return render(request, "evaluations/reviews/help_close.html",
                  {"form": form, "assignment": assignment})
