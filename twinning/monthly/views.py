import datetime
import functools
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from branches.models import Town
from twinning.committees.models import JointCommittee
from twinning.monthly import nudges, rules, selectors, services
from twinning.monthly.forms import MonthlyUpdateForm, ReasonForm, ReopenDecisionForm, ReviewForm
from twinning.monthly.models import MonthlyAttachment, MonthlyUpdate, ReopenRequest
from twinning.monthly.rules import Filing
from twinning.shared import kept_figures, permissions
from twinning.shared.audit import audit_trail
from twinning.shared.kept_pages import kept_page
from twinning.shared.lookups import get_visible, paginate, require
from twinning.shared.periods import chinese_period, format_period
from twinning.shared.writes import DATABASE_REFUSED_BUTTON, attempt, press, run, show_errors


def _get_committee(request: HttpRequest, code: str, action: str = "view_updates") -> JointCommittee:
    """The committee if the user may see it (else 404) and may do `action` on it (else 403)."""
    return get_visible(
        request, JointCommittee.objects.select_related("urban", "town"), action, code=code
    )


def _get_month(
    request: HttpRequest, code: str, period: datetime.date, action: str = "view_updates"
) -> selectors.MonthState:
    """The committee's month; a month not yet begun or that it did not exist in is a 404 (the
    month under way is shown: its draft may be started)."""
    committee = _get_committee(request, code, action)
    today = timezone.localdate()
    try:
        rules.check_period(committee, period, today, draft=True)
    except ValidationError:
        raise Http404 from None
    return selectors.month_state(committee, period, today)


def _month_url(state: selectors.MonthState) -> str:
    return reverse("monthly_update", args=[state.committee.code, format_period(state.period)])


@require_http_methods(["GET", "POST"])
def monthly_update(request: HttpRequest, code: str, period: datetime.date) -> HttpResponse:
    state = _get_month(request, code, period)
    user = request.user
    may_file = permissions.can(user, "file", state.committee)
    editing = may_file and not state.closed_reason
    if request.method == "POST" and not may_file:
        raise PermissionDenied
    form, conflict = None, None
    prefilled = selectors.prefill_for(state.committee, period) if editing else {}
    if editing and request.method == "POST":
        form = MonthlyUpdateForm(request.POST, request.FILES, prefilled=prefilled)
        if form.is_valid():
            data = form.cleaned_data
            submit = request.POST.get("action") == "submit"
            outcome = run(
                services.update_save,
                committee=state.committee,
                period=period,
                user=user,
                data=data,
                version=data["version"],
                submit=submit,
                uploads=data["attachments"],
            )
            if outcome.error is None:
                messages.success(
                    request, _("报告已报送，等待审核。") if submit else _("草稿已保存。")
                )
                return redirect(_month_url(state))
            show_errors(form, outcome.error)
            # Someone saved in between: show theirs next to what this user typed.
            conflict = getattr(outcome.error, "current", None)
    elif editing:
        initial = MonthlyUpdateForm.initial_from(state.update, prefilled)
        form = MonthlyUpdateForm(initial=initial, prefilled=prefilled)
    elif request.method == "POST":
        messages.error(request, state.closed_reason)
        return redirect(_month_url(state))
    version = (
        conflict.version if conflict else (form["version"].value() if form is not None else None)
    )
    context = {
        "state": state,
        "update": state.update,
        "form": form,
        "version": version,
        "conflict": conflict,
        "from_records": bool(prefilled) and state.update is None,
        "may_file": may_file,
        "can_review": permissions.can(user, "review", state.committee),
        "can_grant": permissions.can(user, "grant_reopen", state.committee),
        "review_form": ReviewForm(),
    }
    if permissions.can(user, "admin") and state.update is not None:
        context["audit"] = audit_trail(
            MonthlyUpdate.history.filter(id=state.update.pk),
            MonthlyAttachment.history.filter(update_id=state.update.pk),
            ReopenRequest.history.filter(committee_id=state.committee.pk, period=period),
        )
    return render(request, "twinning/monthly/update.html", context)


@require_http_methods(["GET", "POST"])
def monthly_review(request: HttpRequest, code: str, period: datetime.date) -> HttpResponse:
    state = _get_month(request, code, period, "review")
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if state.update is None:
            messages.error(request, _("本月还没有报告。"))
            return redirect(_month_url(state))
        if form.cleaned_data["decision"] == "accept":
            done = attempt(form, services.update_accept, update=state.update, user=request.user)
            success = _("已通过。")
        else:
            done = attempt(form, services.update_return, update=state.update, user=request.user,
                           reason=form.cleaned_data["note"])
            success = _("已退回，书记会看到退回原因。")
        if done is not None:
            messages.success(request, success)
            return redirect(_month_url(state))
    return render(request, "twinning/monthly/review.html", {"state": state, "form": form})


@require_http_methods(["GET", "POST"])
def monthly_reopen_request(request: HttpRequest, code: str, period: datetime.date) -> HttpResponse:
    state = _get_month(request, code, period, "file")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            services.reopen_request_create,
            committee=state.committee,
            period=period,
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, _("重新开放申请已提交，组织部处理后会在首页待办中告诉您。"))
            return redirect(_month_url(state))
    return render(request, "twinning/monthly/reopen_request.html", {"state": state, "form": form})


@require_http_methods(["GET", "POST"])
def monthly_reopen_decide(request: HttpRequest, code: str, period: datetime.date) -> HttpResponse:
    state = _get_month(request, code, period, "grant_reopen")
    form = ReopenDecisionForm(request.POST or None)
    pending = state.pending_request
    if request.method == "POST" and form.is_valid() and pending is not None:
        grant = form.cleaned_data["decision"] == "grant"
        decided = attempt(form, services.reopen_request_decide, request=pending,
                          user=request.user, grant=grant, note=form.cleaned_data["note"])
        if decided is not None:
            done = _("已同意重新开放，书记可以补报。") if grant else _("已告知书记不同意的理由。")
            messages.success(request, done)
            return redirect(_month_url(state))
    return render(request, "twinning/monthly/reopen_decide.html", {"state": state, "form": form})


def _get_attachment(state: selectors.MonthState, attachment_id: int) -> MonthlyAttachment:
    if state.update is None:
        raise Http404
    return get_object_or_404(state.update.attachments.all(), pk=attachment_id)


def monthly_attachment(
    request: HttpRequest, code: str, period: datetime.date, attachment_id: int
) -> FileResponse:
    attachment = _get_attachment(_get_month(request, code, period), attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=not attachment.is_image, filename=attachment.name)


@require_http_methods(["GET", "POST"])
def monthly_attachment_delete(
    request: HttpRequest, code: str, period: datetime.date, attachment_id: int
) -> HttpResponse:
    state = _get_month(request, code, period, "file")
    attachment = _get_attachment(state, attachment_id)
    error = state.closed_reason
    if request.method == "POST" and not error:
        outcome = run(services.attachment_delete, refused=str(DATABASE_REFUSED_BUTTON),
                      attachment=attachment, user=request.user)
        if outcome.error is None:
            messages.success(request, _("已删除附件「%(name)s」。") % {"name": attachment.name})
            return redirect(_month_url(state))
        error = " ".join(outcome.messages)
    return render(
        request,
        "twinning/monthly/attachment_delete.html",
        {"state": state, "attachment": attachment, "error": error},
    )


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


# The queue's decisions (`action`): accept or return what is chosen, one or a selection.
# A selection's return is first shown for confirmation (`confirm_return`), from which the
# reviewer may go back to change it (`revise`).
DECISIONS = {"accept": True, "return": False}


def _queue_post(request: HttpRequest, queue: Any) -> HttpResponse | dict[str, Any]:
    """Decide, or confirm returning, the chosen updates; else what the reviewer typed, to show
    the queue again with it. Only updates in the user's queue are ever found."""
    action, reason = request.POST.get("action", ""), request.POST.get("reason", "")
    chosen = list(queue.filter(pk__in=_ids(request.POST.getlist("ids"))))
    typed = {"ids": {u.pk for u in chosen}, "reason": reason, "returning": action != "accept",
             "bulk": request.POST.get("bulk") == "1"}
    outcome = None
    if action == "confirm_return":
        outcome = run(services.updates_review_check, updates=chosen, accept=False, reason=reason)
        if outcome.error is None:
            return render(request, "twinning/monthly/queue_confirm.html",
                          {"chosen": chosen, "reason": reason})
    elif action in DECISIONS:
        accept = DECISIONS[action]
        outcome = run(services.updates_review, updates=chosen, user=request.user,
                      accept=accept, reason=reason)
        if outcome.error is None:
            done = (
                _("已通过%(n)s份报告。") if accept
                else _("已退回%(n)s份报告，书记会看到退回原因。")
            )
            messages.success(request, done % {"n": outcome.result})
            return redirect(request.get_full_path())
    if outcome is not None:
        messages.error(request, " ".join(outcome.messages))
    return typed


@require_http_methods(["GET", "POST"])
@kept_page
def monthly_queue(request: HttpRequest) -> HttpResponse:
    """The review queue (待审核): updates waiting for this user's decision, oldest first;
    accept one or a selection, or return one or a selection with one reason (a selection after
    a confirmation). Updates outside the user's reach are never found, so never decided."""
    require(request, "review")
    queue = selectors.review_queue(request.user)
    typed: dict[str, Any] = {}
    if request.method == "POST":
        answer = _queue_post(request, queue)
        if isinstance(answer, HttpResponse):
            return answer
        typed = answer
    # The count of a long queue (thousands at ten times the city) is kept until the data
    # changes: every submission and decision is recorded.
    waiting = kept_figures.remember("review-queue-count", QuerySet.count, queue)
    page = paginate(request, queue, per_page=20, count=waiting)
    # The page's rows too (its updates with their committees and attachments): the query
    # (LIMIT and OFFSET included) is part of the key.
    page.object_list = kept_figures.remember(
        "review-queue-rows", selectors.waiting_rows, page.object_list, timezone.localdate())
    return render(request, "twinning/monthly/queue.html", {
        "page": page, "typed": typed, "flag_days": settings.MONTHLY_REVIEW_FLAG_DAYS,
    })


def monthly_mine(request: HttpRequest) -> HttpResponse:
    """The secretary's way in from the menu: their committee's months (a choice of
    committees if they file for several)."""
    require(request, "file")
    committees = [
        c for c in permissions.visible(
            request.user, JointCommittee.objects.filter(dissolved_on__isnull=True)
        ).order_by("code")
        if permissions.can(request.user, "file", c)
    ]
    if len(committees) == 1:
        return redirect("monthly_committee", committees[0].code)
    return render(request, "twinning/monthly/mine.html", {"committees": committees})


def monthly_committee(request: HttpRequest, code: str) -> HttpResponse:
    committee = _get_committee(request, code)
    today = timezone.localdate()
    current = today.replace(day=1)
    return render(
        request,
        "twinning/monthly/committee.html",
        {
            "committee": committee,
            "months": selectors.committee_months(committee, today),
            "may_file": permissions.can(request.user, "file", committee),
            "current": current if rules.committee_owes(committee, current) else None,
        },
    )


@kept_page
def monthly_completeness(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can(user, "view_completeness"):
        raise PermissionDenied
    today = timezone.localdate()
    default = rules.last_due_period(today)
    period, error = selectors.requested_period(request.GET.get("month", ""), today)
    if error:
        messages.error(request, error)
    params = {key: request.GET.get(key, "") for key in ("town", "status")}
    # Gathered only if the page's fragments are not kept ({% kept %} in the template).
    found = functools.cache(functools.partial(
        nudges.completeness_with_nudges, user, period, today,
        town=params["town"], status=params["status"], page=request.GET.get("page"),
    ))
    return render(
        request,
        "twinning/monthly/completeness.html",
        {
            "report": SimpleLazyObject(lambda: found()[0]),
            "page": SimpleLazyObject(lambda: found()[1]),
            # 150 towns at ten times the city: a page at a time (its own page number).
            "town_page": SimpleLazyObject(
                lambda: paginate(request, found()[0].by_town, param="towns")),
            # The whole query: the pager's links repeat it ({% querystring %}).
            "kept_by": (period, request.GET.urlencode()),
            "period": period,
            "period_label": chinese_period(period),
            "month_value": format_period(period),
            "max_month": format_period(default),
            "deadline": rules.deadline(period),
            "lock_date": rules.lock_date(period),
            "towns": permissions.visible(user, Town.objects.all()),
            "params": params,
            "filings": Filing.choices + rules.Review.choices,
            "pending_requests": list(selectors.pending_reopen_requests(user)[:20])
            if permissions.can(user, "grant_reopen", None)
            else [],
        },
    )


def _nudged(result: nudges.NudgeResult) -> str:
    counts = {"n": len(result.sent), "m": len(result.already), "k": len(result.unreachable)}
    if result.unreachable:
        return _("已向 %(n)s 个联合党组织发送催报，%(m)s 个今日已催报，"
                 "%(k)s 个尚无书记账号，未能催报。") % counts
    return _("已向 %(n)s 个联合党组织发送催报，%(m)s 个今日已催报。") % counts


def _nudge(
    request: HttpRequest, committees: list[JointCommittee], period: datetime.date,
    today: datetime.date, one: JointCommittee | None = None,
) -> HttpResponse:
    """The 催报 confirmation (GET) and the sending (POST); back to the completeness page
    with the filters it was opened from."""
    data = request.POST if request.method == "POST" else request.GET
    filters = {key: data.get(key, "") for key in ("town", "status")}
    query = {"month": format_period(period), **{k: v for k, v in filters.items() if v}}
    back = f"{reverse('monthly_completeness')}?{urlencode(query)}"
    if request.method == "POST":
        press(request, nudges.nudge_send, _nudged, committees=committees, period=period,
              user=request.user, today=today)
        return redirect(back)
    marks = nudges.nudge_marks([c.pk for c in committees], period, today)
    rows = [(c, marks.get(c.pk)) for c in committees]
    locked = nudges.locked_unreopened([c.pk for c in committees], period, today)
    return render(request, "twinning/monthly/nudge.html", {
        "rows": rows, "fresh": sum(1 for _c, mark in rows if not (mark and mark.today)),
        "locked": len(locked), "lock_date": rules.lock_date(period),
        "one": one, "period": period, "period_label": chinese_period(period),
        "month_value": format_period(period), "filters": filters, "back": back,
    })


@require_http_methods(["GET", "POST"])
def monthly_nudge(request: HttpRequest) -> HttpResponse:
    """催报 every committee the completeness page lists (with its filters) that has not filed
    the month: a confirmation, then the sending."""
    require(request, "nudge")
    data = request.POST if request.method == "POST" else request.GET
    today = timezone.localdate()
    period, _error = selectors.requested_period(data.get("month", ""), today)
    committees = list(nudges.nudge_candidates(
        request.user, period, today, town=data.get("town", ""), status=data.get("status", "")))
    return _nudge(request, committees, period, today)


@require_http_methods(["GET", "POST"])
def monthly_nudge_one(request: HttpRequest, code: str, period: datetime.date) -> HttpResponse:
    """催报 one committee for one month (a row of the completeness page)."""
    committee = _get_committee(request, code, "nudge")
    today = timezone.localdate()
    try:
        rules.check_period(committee, period, today)
    except ValidationError:
        raise Http404 from None
    committees = list(nudges.nudge_candidates(request.user, period, today, code=code))
    return _nudge(request, committees, period, today, one=committee)
