"""The joint meeting pages: the department records and closes; town staff and leaders read;
a secretary reads and answers the action items given to their committee."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from twinning.meetings import selectors, services
from twinning.meetings.forms import (
    ActionItemAnswerForm,
    ActionItemDoneForm,
    ActionItemFilterForm,
    ActionItemFormSet,
    ActionItemReturnForm,
    MeetingFilterForm,
    MeetingForm,
)
from twinning.meetings.models import ActionItem, JointMeeting
from twinning.shared import permissions
from twinning.shared.audit import audit_trail
from twinning.shared.child_rows import bind_rows, rows_from_formset
from twinning.shared.lookups import filtered_list, get_visible, require
from twinning.shared.writes import attempt


def meeting_list(request: HttpRequest) -> HttpResponse:
    require(request, "read_meetings")
    user, today = request.user, timezone.localdate()
    years = [d.year for d in JointMeeting.objects.dates("period", "year", order="DESC")]
    form = MeetingFilterForm(request.GET or None, years=years)
    return render(
        request,
        "twinning/meetings/meeting_list.html",
        {
            **filtered_list(request, form, lambda f: selectors.meeting_list(user, f, today)),
            "can_record": permissions.can(user, "record_meetings"),
            "overdue": selectors.overdue_action_items(user, today),
        },
    )


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_visible(request, JointMeeting.objects.select_related("recorded_by"), pk=pk)
    context = {
        "meeting": meeting,
        "items": selectors.meeting_items(request.user, meeting),
        "can_record": permissions.can(request.user, "record_meetings"),
    }
    if permissions.can(request.user, "admin"):
        context["audit"] = audit_trail(
            meeting.history.all(), ActionItem.history.filter(meeting_id=meeting.pk)
        )
    return render(request, "twinning/meetings/meeting_detail.html", context)


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Record a joint meeting (no `pk`) or correct one, with its action items."""
    meeting = None if pk is None else get_visible(request, JointMeeting.objects.all(), pk=pk)
    require(request, "record_meetings")
    open_items = meeting.action_items.open() if meeting else ActionItem.objects.none()
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(data, instance=meeting,
                       initial={"held_on": timezone.localdate()} if meeting is None else None)
    formset, valid = bind_rows(
        form, ActionItemFormSet, queryset=open_items, date_field="held_on",
        committees=selectors.action_item_committees(request.user, meeting), meeting=meeting,
    )
    if valid:
        saved = attempt(
            form,
            services.meeting_save,
            meeting=meeting,
            items=rows_from_formset(formset, services.ACTION_ITEM_FIELDS),
            user=request.user,
            **form.cleaned_data,
        )
        if saved is not None:
            messages.success(request, _("已保存：%(name)s。") % {"name": saved})
            return redirect(saved)
    done = list(meeting.action_items.filter(status=ActionItem.Status.DONE)) if meeting else []
    return render(
        request,
        "twinning/meetings/meeting_form.html",
        {"form": form, "formset": formset, "meeting": meeting, "done_items": done},
    )


def action_item_list(request: HttpRequest) -> HttpResponse:
    require(request, "read_meetings")
    user, today = request.user, timezone.localdate()
    form = ActionItemFilterForm(request.GET or None)
    return render(
        request,
        "twinning/meetings/action_item_list.html",
        {**filtered_list(request, form, lambda f: selectors.action_item_list(user, f, today)),
         "can_record": permissions.can(user, "record_meetings")},
    )


@require_http_methods(["GET", "POST"])
def action_item_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible(request, ActionItem.objects.select_related("meeting", "committee"), pk=pk)
    require(request, "record_meetings")
    if item.is_done:
        messages.info(request, _("该任务已于%(date)s办结。") % {"date": item.done_on.isoformat()})
        return redirect(item.meeting)
    # Closing starts from what the committee answered.
    form = ActionItemDoneForm(request.POST or None,
                              initial={"done_on": timezone.localdate(), "result": item.answer})
    if request.method == "POST" and form.is_valid():
        if attempt(form, services.action_item_complete, item=item, **form.cleaned_data):
            messages.success(request, _("任务已办结。"))
            return redirect(item.meeting)
    return render(request, "twinning/meetings/action_item_done.html", {"form": form, "item": item})


@require_http_methods(["GET", "POST"])
def action_item_return(request: HttpRequest, pk: int) -> HttpResponse:
    """The department sends a committee's answer back with a reason (for it to answer again)."""
    item = get_visible(request, ActionItem.objects.select_related("meeting", "committee",
                                                                  "answered_by"), pk=pk)
    require(request, "record_meetings")
    if item.is_done or not item.is_answered:  # the page says there is nothing to send back
        return render(request, "twinning/meetings/action_item_return.html", {"item": item})
    form = ActionItemReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if attempt(form, services.action_item_return, item=item, **form.cleaned_data):
            messages.success(request, _("答复已退回，联合党组织书记会在待办中看到退回理由。"))
            return redirect(item.meeting)
    return render(request, "twinning/meetings/action_item_return.html",
                  {"form": form, "item": item})


@require_http_methods(["GET", "POST"])
def action_item_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee's answer to an item given to it, revised until the department closes it."""
    require(request, "answer_action_items")
    item = get_visible(request, ActionItem.objects.select_related("meeting", "committee"),
                       "answer_action_items", pk=pk)
    if item.is_done:
        messages.info(request, _("该任务已于%(date)s办结，答复不能再修改。")
                      % {"date": item.done_on.isoformat()})
        return redirect(item.meeting)
    # A returned answer is the starting point of the next one.
    form = ActionItemAnswerForm(request.POST or None, initial={
        "answer": item.answer or item.returned_answer, "done": item.answer_done})
    if request.method == "POST" and form.is_valid():
        if attempt(form, services.action_item_answer, item=item, user=request.user,
                   **form.cleaned_data):
            messages.success(request, _("已答复，组织部可以看到您的答复。"))
            return redirect(item.meeting)
    return render(request, "twinning/meetings/action_item_answer.html",
                  {"form": form, "item": item})
