"""Pages of the assessment of joint committees: rounds, the ranking, a committee's scores.

Round pages answer 403 to roles that see no results (inspectors); a committee's scores answer
404 where the committee is out of reach, as its other pages do. Only the department opens,
generates, adjusts, closes and records commendations. Who sees what: the policy's actions
(`view_rankings`, `view_member_data`, `manage_rounds`).
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from branches.models import Town
from evaluations.assessments import selectors, services
from evaluations.assessments.forms import (
    AdjustForm,
    AssessmentRoundEditForm,
    AssessmentRoundForm,
    CommendationForm,
)
from evaluations.assessments.models import (
    Assessment,
    AssessmentRound,
    AssessmentScore,
    Commendation,
)
from twinning.shared import permissions
from twinning.shared.audit import audit_trail
from twinning.shared.lookups import get_visible, paginate, require
from twinning.shared.writes import attempt, press


def _get_round(request: HttpRequest, pk: int) -> AssessmentRound:
    return get_visible(request, AssessmentRound.objects.all(), pk=pk)


def _get_assessment(request: HttpRequest, pk: int, code: str) -> Assessment:
    """A committee's result in a round, if the user may see its scores (else 404)."""
    if not permissions.can(request.user, "view_member_data"):
        raise Http404
    return get_object_or_404(
        permissions.visible(request.user, Assessment.objects.select_related(
            "round", "committee", "committee__town", "committee__urban")),
        round_id=pk, committee__code=code,
    )


def assessment_round_list(request: HttpRequest) -> HttpResponse:
    require(request, "view_rankings")
    rounds = permissions.visible(request.user, AssessmentRound.objects.all()).annotate(
        committees=Count("assessments"),
        outstanding=Count("assessments", filter=Q(assessments__outstanding=True)),
    ).order_by("-year", "-half")
    return render(request, "evaluations/assessments/round_list.html", {
        "page": paginate(request, rounds),
    })


@require_http_methods(["GET", "POST"])
def assessment_round_create(request: HttpRequest) -> HttpResponse:
    require(request, "manage_rounds")
    form = AssessmentRoundForm.for_today(request.POST or None)
    if request.method == "POST" and form.is_valid():
        round_ = attempt(form, services.assessment_round_open, **form.cleaned_data,
                         user=request.user)
        if round_ is not None:
            messages.success(request, _("已开启%(round)s考核。请生成建议分。") % {
                "round": str(round_)})
            return redirect(round_)
    return render(request, "evaluations/assessments/round_form.html", {"form": form})


def assessment_round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "view_rankings")
    round_ = _get_round(request, pk)
    shows_scores = permissions.can(request.user, "view_member_data")
    results = selectors.ranking(request.user, round_, request.GET)
    page = paginate(request, results)
    return render(request, "evaluations/assessments/round_detail.html", {
        "round": round_,
        "page": page,
        # The distribution of the committees in view, whatever grade the list is narrowed to.
        "grades": selectors.grade_counts(selectors.ranking(
            request.user, round_, {k: request.GET.get(k) for k in ("q", "town")})),
        "grade_choices": Assessment.Grade.choices,
        "towns": permissions.visible(request.user, Town.objects.all())
        if permissions.can(request.user, "view_city_figures") else [],
        "params": request.GET,
        "filtered": any(request.GET.get(k) for k in ("q", "town", "grade", "outstanding")),
        "commendations": selectors.commendations(request.user, round_)
        if shows_scores else [],
        "shows_scores": shows_scores,
    })


@require_http_methods(["GET", "POST"])
def assessment_round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "manage_rounds")
    round_ = _get_round(request, pk)
    # An unsaved copy: a rejected form must not change the round shown beside it.
    form = AssessmentRoundEditForm(request.POST or None,
                                   instance=AssessmentRound.objects.get(pk=round_.pk))
    if request.method == "POST" and not round_.is_closed and form.is_valid():
        done = attempt(form, services.assessment_round_update, round_=round_,
                       **form.cleaned_data, user=request.user)
        if done is not None:
            messages.success(request, _("已保存，等次和优秀书记已按新的设置重新确定。"))
            return redirect(round_)
    return render(request, "evaluations/assessments/round_edit.html",
                  {"round": round_, "form": form})


@require_POST
def assessment_generate(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "manage_rounds")
    round_ = _get_round(request, pk)
    press(request, services.assessment_generate,
          lambda n: _("已根据本半年的记录为%(n)s个联合党组织生成建议分。") % {"n": n},
          round_=round_, user=request.user)
    return redirect(round_)


@require_http_methods(["GET", "POST"])
def assessment_round_close(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "manage_rounds")
    round_ = _get_round(request, pk)
    if request.method == "POST":
        press(request, services.assessment_round_close,
              lambda closed: _("%(round)s考核已关闭，结果已锁定。") % {"round": str(closed)},
              round_=round_, user=request.user)
        return redirect(round_)
    return render(request, "evaluations/assessments/round_close.html", {
        "round": round_,
        "grades": selectors.grade_counts(round_.assessments.all()),
        "adjusted": round_.assessments.filter(scores__reason__gt="").distinct().count(),
    })


def assessment_detail(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    assessment = _get_assessment(request, pk, code)
    context = {
        "assessment": assessment,
        "round": assessment.round,
        "scores": selectors.scores_of(assessment),
        "commendations": list(assessment.commendations.all()),
    }
    if permissions.can(request.user, "admin"):
        # Who proposed, adjusted and commended, with before and after.
        context["audit"] = audit_trail(
            assessment.history.all(),
            AssessmentScore.history.filter(assessment_id=assessment.pk),
            Commendation.history.filter(assessment_id=assessment.pk),
        )
    return render(request, "evaluations/assessments/detail.html", context)


@require_http_methods(["GET", "POST"])
def assessment_adjust(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    assessment = _get_assessment(request, pk, code)
    require(request, "manage_rounds")
    scores = selectors.scores_of(assessment)
    form = AdjustForm(request.POST or None, scores=scores)
    locked = assessment.round.lock_message() if assessment.round.is_closed else ""
    if request.method == "POST" and not locked and form.is_valid():
        changed = attempt(form, services.assessment_adjust, assessment=assessment,
                          entries=form.entries(scores), user=request.user)
        if changed is not None:
            messages.success(request, _("已保存：%(n)s项得分有调整。") % {"n": changed})
            return redirect(assessment)
    return render(request, "evaluations/assessments/adjust.html", {
        "assessment": assessment, "round": assessment.round, "form": form, "locked": locked,
    })


@require_http_methods(["GET", "POST"])
def assessment_commend(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "manage_rounds")
    round_ = _get_round(request, pk)
    form = CommendationForm(request.POST or None, round_=round_)
    if request.method == "POST" and round_.is_closed and form.is_valid():
        done = attempt(form, services.commendation_record, **form.cleaned_data,
                       user=request.user)
        if done is not None:
            messages.success(request, _("已记录%(name)s的表彰和提拔。") % {"name": done.secretary})
            return redirect(round_)
    return render(request, "evaluations/assessments/commend.html",
                  {"round": round_, "form": form})
