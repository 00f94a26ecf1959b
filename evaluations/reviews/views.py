"""Pages of the democratic review: rounds, their progress, the committee's rating sheet, 第八表.

Ratings are members' personal data: only the department, town staff and secretaries reach
these pages, each for the committees they may see (`view_member_data` in the policy); inspectors
and leaders get 403 on the lists and 404 on any round or sheet.
"""

import re
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from branches.models import Town
from evaluations.reviews import selectors, services
from evaluations.reviews.exports import TABLE8_CONTENT_TYPE, table8_filename, table8_xlsx
from evaluations.reviews.forms import RoundEditForm, RoundForm
from evaluations.reviews.models import MemberReview, ReviewRound
from twinning.committees.models import JointCommittee
from twinning.shared import permissions
from twinning.shared.audit import personal_data_read
from twinning.shared.lookups import get_visible, paginate, require
from twinning.shared.writes import attempt, press, run

SHEET_FIELD = re.compile(r"^r(\d+)-rating$")


def _get_round(request: HttpRequest, pk: int) -> ReviewRound:
    """The round if the user may see ratings at all (else 404)."""
    return get_visible(request, ReviewRound.objects.all(), pk=pk)


def review_round_list(request: HttpRequest) -> HttpResponse:
    require(request, "view_member_data")
    page = paginate(request, permissions.visible(request.user, ReviewRound.objects.all()))
    return render(request, "evaluations/reviews/round_list.html", {
        "page": page,
        "rows": selectors.rounds_with_counts(request.user, list(page.object_list)),
    })


@require_http_methods(["GET", "POST"])
def review_round_create(request: HttpRequest) -> HttpResponse:
    require(request, "manage_rounds")
    form = RoundForm.for_today(request.POST or None)
    if request.method == "POST" and form.is_valid():
        review_round = attempt(form, services.review_round_open, **form.cleaned_data,
                               user=request.user)
        if review_round is not None:
            messages.success(request, _("已开启%(round)s民主评议，评议名单共%(n)s名党员。") % {
                "round": str(review_round), "n": review_round.reviews.count()})
            return redirect(review_round)
    return render(request, "evaluations/reviews/round_form.html", {"form": form})


def review_round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "view_member_data")
    review_round = _get_round(request, pk)
    user = request.user
    committees, totals = selectors.round_progress(user, review_round, request.GET)
    page = paginate(request, committees)
    return render(request, "evaluations/reviews/round_detail.html", {
        "review_round": review_round,
        "locked": review_round.is_locked(),
        "page": page,
        "rows": selectors.committee_rows(page.object_list),
        "totals": totals,
        "stale_days": selectors.stale_days(),
        "params": request.GET,
        "statuses": [
            ("todo", _("未评完")), ("done", _("已评完")), ("unassigned", _("有未安排帮促")),
            ("stale", _("有超期未跟进")),
        ],
        "towns": permissions.visible(user, Town.objects.all())
        if permissions.can(user, "pick_town") else [],
    })


@require_http_methods(["GET", "POST"])
def review_round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "manage_rounds")
    review_round = _get_round(request, pk)
    form = RoundEditForm(request.POST or None, initial={"closes_on": review_round.closes_on})
    if request.method == "POST" and form.is_valid():
        if attempt(form, services.review_round_update, review_round=review_round,
                   **form.cleaned_data):
            messages.success(request, _("已保存。"))
            return redirect(review_round)
    return render(request, "evaluations/reviews/round_edit.html",
                  {"form": form, "review_round": review_round})


@require_http_methods(["GET", "POST"])
def review_round_close(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "manage_rounds")
    review_round = _get_round(request, pk)
    if request.method == "POST":
        press(request, services.review_round_close,
              lambda closed: _("%(round)s民主评议已关闭，结果已锁定。") % {"round": str(closed)},
              review_round=review_round, user=request.user)
        return redirect(review_round)
    counts = selectors.Counts.of(
        review_round.reviews.aggregate(**selectors.review_counts())
    )
    return render(request, "evaluations/reviews/round_close.html",
                  {"review_round": review_round, "counts": counts})


@require_POST
def review_round_roster(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "manage_rounds")
    review_round = _get_round(request, pk)
    press(request, services.review_round_fill_roster,
          lambda added: _("已补充%(n)s名党员到评议名单。") % {"n": added},
          review_round=review_round, user=request.user)
    return redirect(review_round)


def review_round_table(request: HttpRequest, pk: int) -> FileResponse:
    """党内统计第八表 for the committees the user may see (all, or the town's)."""
    review_round = _get_round(request, pk)
    require(request, "export_reviews")
    committees, totals = selectors.round_progress(request.user, review_round, {})
    towns = [] if permissions.can(request.user, "view_city_figures") else list(
        permissions.visible(request.user, Town.objects.all())
    )
    content = table8_xlsx(review_round, selectors.committee_rows(committees), totals, towns)
    # Counts per committee, no names: recorded all the same, as an export of ratings.
    personal_data_read(request, _("民主评议第八表导出"), [])
    return FileResponse(
        content, as_attachment=True, filename=table8_filename(review_round, towns),
        content_type=TABLE8_CONTENT_TYPE,
    )


@dataclass
class SheetLine:
    """One row of the sheet as shown: the saved review, or what was just typed in it."""

    review: MemberReview
    rating: str
    basis: str
    error: str | None = None


def _typed_entries(request: HttpRequest) -> dict[int, services.RatingEntry]:
    entries = {}
    for key, value in request.POST.items():
        match = SHEET_FIELD.match(key)
        if match:
            pk = int(match.group(1))
            entries[pk] = services.RatingEntry(value, request.POST.get(f"r{pk}-basis", ""))
    return entries


@require_http_methods(["GET", "POST"])
def review_sheet(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One page for a whole committee: a rating and its basis per member, saved at once."""
    review_round = _get_round(request, pk)
    committee = get_object_or_404(
        permissions.visible(request.user, JointCommittee.objects.select_related("town")),
        code=code,
    )
    if not (permissions.can(request.user, "manage", committee)
            and permissions.can(request.user, "view_members", committee)):
        raise PermissionDenied
    typed: dict[int, services.RatingEntry] = {}
    errors: dict[int, str] = {}
    saved = 0
    if request.method == "POST":
        typed = _typed_entries(request)
        outcome = run(
            services.member_reviews_save,
            review_round=review_round, committee=committee, entries=typed, user=request.user,
        )
        result = outcome.result
        if result is None:
            messages.error(request, _("%(reason)s本次提交未保存。") % {
                "reason": " ".join(outcome.messages)})
            return redirect("review_sheet", pk=review_round.pk, code=committee.code)
        errors, saved = result.errors, result.saved
        if not errors:
            messages.success(request, _("已保存：%(n)s名党员的评定有变动。") % {"n": result.saved})
            return redirect("review_sheet", pk=review_round.pk, code=committee.code)
    rows = selectors.sheet_rows(review_round, committee)
    if not rows:
        raise Http404
    personal_data_read(request, _("民主评议表"), [row.member_id for row in rows])
    lines = [
        SheetLine(
            row,
            typed[row.pk].rating if row.pk in typed else row.rating,
            typed[row.pk].basis if row.pk in typed else row.basis,
            errors.get(row.pk),
        )
        for row in rows
    ]
    return render(request, "evaluations/reviews/sheet.html", {
        "review_round": review_round,
        "committee": committee,
        "lines": lines,
        "errors": [line for line in lines if line.error],
        "saved": saved,
        "counts": selectors.committee_counts(review_round, committee),
        "locked": review_round.is_locked(),
        "ratings": MemberReview.Rating.choices,
    })
