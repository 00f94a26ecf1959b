"""The demo city's aid and mutual-help history reproduces the reference figures of DESIGN §1.

Every figure is read through `twinning.aid.outcomes`, the code the pages and the bulletin use.
"""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from branches.demo import city_plan
from tests.test_demo_city import _row_counts
from twinning.aid import demo_plan as plan_module
from twinning.aid import models as aid
from twinning.aid.demo_plan import aid_plan
from twinning.aid.outcomes import TimeScope, outcomes
from twinning.committees.models import JointCommittee
from twinning.shared.periods import add_months, month_start, previous_month

# The city is loaded once for the module (`first_run`), and rolled back after it.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("first_run")]
ALL = TimeScope.since_start()


def _led_by(name: str):
    return JointCommittee.objects.filter(urban__name=name)


def test_citywide_totals_equal_the_reference_figures() -> None:
    result = outcomes(JointCommittee.objects.all(), ALL)
    f = result.total
    # 21 strong residents' committees and 28 enterprises invested over 500 million yuan.
    assert f.partner_investment == Decimal("512000000.00")
    assert result.mechanism("residents").funders == 21
    assert result.mechanism("enterprise").funders == 28
    assert (result.mechanism("residents").investment + result.mechanism("enterprise").investment
            == f.partner_investment)
    # 77 new cooperation projects with over 9,000 jobs.
    assert (f.cooperation_projects, f.cooperation_jobs) == (77, 9126)
    # Departments gave 780+ pieces of information and helped start 57 projects.
    assert (f.information, f.department_projects) == (786, 57)
    assert dict(result.by_form)["部门村庄联建"].information == 786
    # 9.8 million yuan+ in village infrastructure.
    assert f.infrastructure_investment == Decimal("9860000.00")
    # 138 teams adjusted, 310+ rules and regulations, 220+ work procedures.
    assert (f.teams_adjusted, f.rules, f.procedures) == (138, 316, 224)


def test_the_named_cases_carry_their_own_figures() -> None:
    guchengzi = outcomes(_led_by("古城子居委会"), ALL).total
    assert guchengzi.infrastructure_investment == Decimal("870000.00")
    assert {k: v for k, v in guchengzi.outputs.items() if v} == {
        "office_area": Decimal("118.00"), "road_km": Decimal("2.05"),
        "street_lamps": Decimal("40.00"), "tap_water": Decimal("236.00")}
    roads = aid.InfrastructureOutput.objects.filter(project__committee__in=_led_by("古城子居委会"),
                                                kind="road_km")
    assert roads.count() == 2
    tobacco = outcomes(_led_by("市烟草公司"), ALL).total
    assert (tobacco.households, tobacco.area_mu) == (202, Decimal("41000.00"))
    assert outcomes(_led_by("市经管局"), ALL).total.households == 230
    assert outcomes(_led_by("五里堡居委会"), ALL).total.households >= 450
    assert outcomes(_led_by("市农业局"), ALL).total.area_mu == Decimal("5000.00")
    yixin = outcomes(_led_by("益欣食品有限公司"), ALL).total
    assert yixin.cooperation_jobs == 420
    houhuangtuan = aid.AidProject.objects.get(committee__in=_led_by("后黄疃居委会"))
    assert houhuangtuan.title == "组建村级建筑施工队"
    gaojiatun = aid.GovernanceRecord.objects.get(committee__in=_led_by("杨春居委会"),
                                             village__name="高家屯村", kind="rules")
    assert gaojiatun.count >= 20


def test_each_of_the_last_twelve_months_has_figures() -> None:
    last = previous_month(timezone.localdate())
    for back in range(12):
        f = outcomes(JointCommittee.objects.all(), TimeScope.month(add_months(last, -back))).total
        assert all((f.investment, f.jobs, f.trainings, f.fellowship, f.secondments, f.pairings,
                    f.hot_issues_solved)), add_months(last, -back)


def test_history_spans_the_programme_years_and_stops_at_the_last_complete_month() -> None:
    first_day = month_start(timezone.localdate())
    years = set(aid.ProjectProgress.objects.values_list("reported_on__year", flat=True))
    assert min(years) == 2019 and max(years) == previous_month(first_day).year
    assert not aid.ProjectProgress.objects.filter(reported_on__gte=first_day).exists()
    assert not aid.HelpActivity.objects.filter(held_on__gte=first_day).exists()
    statuses = set(aid.AidProject.objects.values_list("status", flat=True))
    assert statuses == {"planned", "active", "done"}
    assert set(aid.HotIssue.objects.values_list("status", flat=True)) == {
        "open", "in_progress", "solved"}


def test_actual_investment_is_the_sum_of_reports_for_every_project() -> None:
    projects = aid.AidProject.objects.with_progress()
    assert sum(p.investment_actual for p in projects) == outcomes(
        JointCommittee.objects.all(), ALL).total.investment
    assert not projects.filter(status="planned", investment_actual__gt=0).exists()
    assert not projects.exclude(status="planned").filter(investment_actual=0).exists()


def test_second_run_writes_no_aid_history() -> None:
    before = _row_counts()
    out = StringIO()
    call_command("load_demo_city", stdout=out)
    assert _row_counts() == before
    projects = aid.AidProject.objects.count()
    assert f"帮扶项目: 新建 0 / 已有 {projects}" in out.getvalue()
    assert f"挂职: 新建 0 / 已有 {aid.Secondment.objects.count()}" in out.getvalue()
    assert f"党员结对: 新建 0 / 已有 {aid.MemberPairing.objects.count()}" in out.getvalue()


def test_creation_of_aid_history_is_audited() -> None:
    for model in (aid.AidProject, aid.ProjectProgress, aid.Secondment, aid.HotIssue,
                  aid.GovernanceRecord):
        assert model.history.count() == model.objects.count(), model
    assert set(aid.AidProject.history.values_list("history_change_reason", flat=True)) == {
        "载入演示城市"}


def test_plan_is_deterministic_and_holds_for_other_seeds_and_months() -> None:
    through = datetime.date(2026, 10, 31)
    assert aid_plan(7, through) == aid_plan.__wrapped__(7, through)
    for seed, end in ((1, datetime.date(2027, 5, 31)), (2, through), (3, through)):
        plan = aid_plan(seed, end)
        kind = {b.code: b.kind for b in city_plan(seed).branches}
        partner = [p for p in plan.projects if kind[p.funder] in ("residents", "enterprise")]
        invested = sum(r.investment for p in partner for r in p.reports)
        assert invested == plan_module.PARTNER_INVESTMENT
        for funder_kind, count in (("residents", 21), ("enterprise", 28)):
            assert len({p.funder for p in partner
                        if p.reports and kind[p.funder] == funder_kind}) == count
        coop = [p for p in partner if p.category == "industry" and p.status != "planned"]
        assert (len(coop), sum(r.jobs for p in coop for r in p.reports)) == (77, 9126)
        assert max(r.day for p in plan.projects for r in p.reports) <= end
