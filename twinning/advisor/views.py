"""The advisor's pages (the department only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from branches.models import Branch
from twinning.advisor import selectors, services
from twinning.advisor.forms import PairRuleForm, ProposalForm, WeightsForm
from twinning.advisor.models import PairRule
from twinning.shared.lookups import require
from twinning.shared.writes import attempt, press


@require_http_methods(["GET", "POST"])
def advisor(request: HttpRequest) -> HttpResponse:
    require(request, "advise")
    settings = selectors.advisor_settings()
    form = WeightsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid() and attempt(
        form, services.advisor_settings_update, settings=form.save(commit=False)
    ):
        messages.success(request, _("推荐设置已保存，下方推荐已按新权重重新计算。"))
        return redirect("advisor")
    advice = selectors.advice(timezone.localdate())
    return render(request, "twinning/advisor/advisor.html", {
        "advice": advice, "form": form, "rule_form": PairRuleForm(),
    })


@require_POST
def advisor_rules(request: HttpRequest) -> HttpResponse:
    """Add a lock or forbid rule, or (with `delete`) remove one."""
    require(request, "advise")
    if "delete" in request.POST:
        rule = get_object_or_404(PairRule, pk=request.POST["delete"])
        press(request, services.pair_rule_delete, lambda _done: _("已删除配对规则。"), rule=rule)
        return redirect("advisor")
    form = PairRuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写城市党组织编码、村党组织编码和类型。"))
        return redirect("advisor")
    press(request, _rule_set, lambda _rule: _("配对规则已保存。"), **form.cleaned_data)
    return redirect("advisor")


def _rule_set(*, urban: str, village: str, kind: str) -> PairRule:
    """A lock or forbid rule between the branches with these codes."""
    return services.pair_rule_set(urban=_branch(urban), village=_branch(village), kind=kind)


def _branch(code: str) -> Branch:
    branch = Branch.objects.filter(code=code.strip()).first()
    if branch is None:
        raise ValidationError(_("没有编码为「%(code)s」的党组织。") % {"code": code})
    return branch


def _proposal(request: HttpRequest) -> tuple[ProposalForm, Branch, list[Branch]]:
    form = ProposalForm(request.POST)
    if not form.is_valid():
        raise Http404
    codes = [c for c in form.cleaned_data["villages"].split(";") if c]
    urban = get_object_or_404(Branch, code=form.cleaned_data["urban"])
    villages = list(Branch.objects.filter(code__in=codes))
    if len(villages) != len(codes):
        raise Http404
    return form, urban, villages


@require_POST
def advisor_accept(request: HttpRequest) -> HttpResponse:
    require(request, "advise")
    form, urban, villages = _proposal(request)
    committee = press(
        request, services.proposal_accept,
        lambda made: _("已按推荐组建联合党组织「%(name)s」（定对）。") % {"name": made.name},
        urban=urban, villages=villages, code=form.cleaned_data["code"],
        name=form.cleaned_data["name"], today=timezone.localdate(),
    )
    return redirect(committee or "advisor")


@require_POST
def advisor_reject(request: HttpRequest) -> HttpResponse:
    require(request, "advise")
    _form, urban, villages = _proposal(request)
    press(request, services.proposal_reject,
          lambda _rejection: _("已否决该推荐，今后不再推荐这一组合。"),
          urban=urban, villages=villages, today=timezone.localdate())
    return redirect("advisor")

