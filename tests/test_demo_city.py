"""The demo city reproduces the reference figures of DESIGN §1 and loads idempotently."""

import re
from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Max, Min, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from branches.demo import city_plan
from branches.models import Branch, Member, Town
from twinning.committees.demo import committee_plan, share_percent
from twinning.committees.models import CommitteeVillage, JointCommittee

pytestmark = pytest.mark.django_db

Form = JointCommittee.Form
ACTIVE = Q(memberships__left_on__isnull=True)


def _row_counts() -> dict[str, int]:
    """Rows in every concrete table, audit-trail tables included."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def _active_committees():
    return JointCommittee.objects.filter(dissolved_on__isnull=True)


def _village_names(committee: JointCommittee) -> set[str]:
    return set(
        committee.memberships.filter(left_on__isnull=True).values_list("village__name", flat=True)
    )


def test_committees_by_form_match_the_reference_city(first_run: str) -> None:
    by_form = dict(_active_committees().values_list("form").annotate(n=Count("pk")))
    assert by_form == {
        Form.VILLAGE_RESIDENTS: 54,
        Form.VILLAGE_ENTERPRISE: 58,
        Form.DEPARTMENT_VILLAGE: 51,
    }


def test_joined_villages_are_39_percent_of_all_village_branches(first_run: str) -> None:
    active = CommitteeVillage.objects.filter(left_on__isnull=True, committee__dissolved_on=None)
    joined = active.values("village").distinct().count()
    villages = Branch.objects.filter(kind=Branch.Kind.VILLAGE).count()
    assert (joined, villages) == (367, 941)
    assert share_percent(joined, villages) == 39
    assert active.filter(village__weak=False).count() == 0


def test_share_rounds_half_up() -> None:
    assert share_percent(367, 941) == 39
    assert share_percent(1, 8) == 13  # 12.5 %; round() would give 12
    assert share_percent(0, 941) == 0


def test_every_committee_has_two_to_four_villages_in_its_own_town(first_run: str) -> None:
    committees = _active_committees().annotate(
        villages=Count("memberships", filter=ACTIVE),
        elsewhere=Count("memberships", filter=ACTIVE & ~Q(memberships__village__town=F("town"))),
        not_villages=Count(
            "memberships", filter=ACTIVE & ~Q(memberships__village__kind=Branch.Kind.VILLAGE)
        ),
    )
    sizes = committees.aggregate(low=Min("villages"), high=Max("villages"))
    assert sizes == {"low": 2, "high": 4}
    assert not committees.filter(Q(elsewhere__gt=0) | Q(not_villages__gt=0)).exists()
    # The form follows the urban branch's kind, and the urban side is never a village.
    kinds = set(committees.values_list("form", "urban__kind").distinct())
    assert kinds == {
        (Form.VILLAGE_RESIDENTS, Branch.Kind.RESIDENTS),
        (Form.VILLAGE_ENTERPRISE, Branch.Kind.ENTERPRISE),
        (Form.DEPARTMENT_VILLAGE, Branch.Kind.DEPARTMENT),
    }


def test_no_village_is_in_two_active_committees(first_run: str) -> None:
    twice = (
        CommitteeVillage.objects.filter(left_on__isnull=True)
        .values("village")
        .annotate(n=Count("committee"))
        .filter(n__gt=1)
    )
    assert not twice.exists()


@pytest.mark.parametrize(
    ("committee", "urban_kind", "town", "villages", "size"),
    [
        ("后黄疃居委会联合党总支", "residents", "密州街道", {"北朱解村", "王家我乐村"}, 2),
        ("益欣食品有限公司联合党总支", "enterprise", "昌城镇", {"郑家河岔村", "小庄家河岔村"}, 2),
        ("市农业局联合党总支", "department", "石桥子镇", {"都吉台村", "徐家村"}, 2),
        ("杨春居委会联合党总支", "residents", "龙都街道", {"高家屯村"}, 2),
        (
            "五里堡居委会联合党总支", "residents", "密州街道",
            {"转头山村", "前姜庄村", "后姜庄村", "管家庄村"}, 4,
        ),
        ("市经管局联合党总支", "department", "贾悦镇", {"西见屯村"}, 3),
        ("古城子居委会联合党总支", "residents", "舜王街道", {"小高乐埠村"}, 2),
    ],
)
def test_named_cases_have_their_partners_in_their_towns(
    first_run: str, committee: str, urban_kind: str, town: str, villages: set[str], size: int
) -> None:
    found = JointCommittee.objects.select_related("urban", "town").get(name=committee)
    assert found.urban.name == committee.removesuffix("联合党总支")
    assert found.urban.kind == urban_kind
    assert found.town.name == town
    names = _village_names(found)
    assert villages <= names
    assert len(names) == size
    assert set(
        Branch.objects.filter(name__in=names).values_list("town__name", flat=True)
    ) == {town}


def test_tobacco_company_leads_three_committees_of_eleven_tobacco_villages(
    first_run: str,
) -> None:
    committees = list(
        JointCommittee.objects.filter(urban__name="市烟草公司").order_by("code")
    )
    assert [c.name for c in committees] == [
        f"市烟草公司联合党总支（{n}）" for n in "一二三"
    ]
    assert [len(_village_names(c)) for c in committees] == [4, 4, 3]
    assert len({c.town_id for c in committees}) == 3
    villages = Branch.objects.filter(
        committee_memberships__committee__in=committees,
        committee_memberships__left_on__isnull=True,
    )
    assert villages.count() == 11
    assert all("烟叶种植" in v.industry_list for v in villages)
    assert {c.form for c in committees} == {Form.VILLAGE_ENTERPRISE}


def test_towns_are_zhuchengs_three_subdistricts_and_twelve_towns(first_run: str) -> None:
    kinds = Counter(Town.objects.values_list("kind", flat=True))
    assert kinds == {Town.Kind.SUBDISTRICT: 3, Town.Kind.TOWN: 12}
    names = set(Town.objects.values_list("name", flat=True))
    assert {"密州街道", "龙都街道", "舜王街道", "昌城镇", "石桥子镇", "马庄镇"} <= names
    assert not Branch.objects.filter(
        kind__in=[Branch.Kind.VILLAGE, Branch.Kind.RESIDENTS], town=None
    ).exists()


def test_advisor_has_weak_unpaired_villages_and_idle_urban_branches(first_run: str) -> None:
    joined = CommitteeVillage.objects.filter(left_on__isnull=True).values("village")
    unpaired = Branch.objects.filter(kind=Branch.Kind.VILLAGE).exclude(pk__in=joined)
    assert unpaired.filter(weak=True).count() >= 60
    idle = Counter(
        Branch.objects.exclude(kind=Branch.Kind.VILLAGE)
        .filter(led_committees=None)
        .values_list("kind", flat=True)
    )
    assert idle == {Branch.Kind.RESIDENTS: 10, Branch.Kind.ENTERPRISE: 10}
    assert Branch.objects.filter(kind=Branch.Kind.DEPARTMENT).count() == 51


def test_committees_mix_formations_and_span_the_programme_years(first_run: str) -> None:
    formations = Counter(_active_committees().values_list("formation", flat=True))
    assert set(formations) == {
        JointCommittee.Formation.ASSIGNED, JointCommittee.Formation.VOLUNTARY
    }
    assert min(formations.values()) >= 40
    years = set(_active_committees().values_list("established_on__year", flat=True))
    assert years == set(range(2019, 2025))


def test_every_branch_has_a_secretary_and_a_small_committee(first_run: str) -> None:
    def role(name: str) -> Count:
        return Count("members", filter=Q(members__role=name))

    branches = Branch.objects.annotate(
        size=Count("members"),
        secretaries=role(Member.Role.SECRETARY),
        deputies=role(Member.Role.DEPUTY),
        committee=role(Member.Role.COMMITTEE),
        secretary_named=Count(
            "members",
            filter=Q(members__role=Member.Role.SECRETARY, members__name=F("secretary")),
        ),
    )
    assert not branches.exclude(
        secretaries=1, secretary_named=1, deputies__range=(1, 2), committee__range=(2, 4)
    ).exists()
    villages = branches.filter(kind=Branch.Kind.VILLAGE).aggregate(lo=Min("size"), hi=Max("size"))
    urban = branches.exclude(kind=Branch.Kind.VILLAGE).aggregate(lo=Min("size"), hi=Max("size"))
    assert 12 <= villages["lo"] and villages["hi"] <= 30
    assert 15 <= urban["lo"] and urban["hi"] <= 40
    assert Member.objects.count() > 20_000
    phones = Member.objects.values_list("phone", flat=True)[:500]
    assert all(re.fullmatch(r"1[358]\d{9}", phone) for phone in phones)
    assert Member.objects.filter(joined_on__year__lt=1975).count() == 0


def test_branch_names_are_distinct_and_plausible(first_run: str) -> None:
    assert Branch.objects.values("name").distinct().count() == Branch.objects.count()
    villages = Branch.objects.filter(kind=Branch.Kind.VILLAGE).values_list("name", flat=True)
    assert all(name.endswith("村") for name in villages)
    residents = Branch.objects.filter(kind=Branch.Kind.RESIDENTS).values_list("name", flat=True)
    assert all(name.endswith("居委会") for name in residents)
    enterprises = Branch.objects.filter(kind=Branch.Kind.ENTERPRISE)
    assert enterprises.filter(name__startswith="诸城市", name__endswith="公司").count() == 64
    assert Branch.objects.filter(kind=Branch.Kind.DEPARTMENT, name="市财政局").exists()
    assert not Branch.objects.filter(industries="").exists()


def test_creation_is_in_the_audit_trail(first_run: str) -> None:
    for model in (Town, Branch, Member, JointCommittee, CommitteeVillage):
        recorded = model.history.values("id").distinct().count()
        assert recorded == model.objects.count(), model
    reasons = set(Member.history.values_list("history_change_reason", flat=True).distinct())
    assert reasons == {"载入演示城市"}


def test_output_reports_what_was_created(first_run: str) -> None:
    for line in (
        "镇街: 新建 15 / 已有 0",
        "村: 新建 941 / 已有 0",
        "居委会: 新建 64 / 已有 0",
        "企业: 新建 66 / 已有 0",
        "部门: 新建 51 / 已有 0",
        "联合党组织（村居联建）: 新建 54 / 已有 0",
        "联合党组织（村企联建）: 新建 58 / 已有 0",
        "联合党组织（部门村庄联建）: 新建 51 / 已有 0",
    ):
        assert line in first_run
    members = Member.objects.count()
    assert f"党员: 新建 {members} / 已有 0" in first_run


def test_second_run_writes_nothing_and_says_so(first_run: str) -> None:
    before = _row_counts()
    out = StringIO()
    call_command("load_demo_city", stdout=out)
    assert _row_counts() == before
    assert "镇街: 新建 0 / 已有 15" in out.getvalue()
    assert "联合党组织（村企联建）: 新建 0 / 已有 58" in out.getvalue()
    assert "没有写入任何数据" in out.getvalue()


def test_plan_is_deterministic_and_holds_for_other_seeds() -> None:
    assert committee_plan(7) == committee_plan.__wrapped__(7)
    assert city_plan(7) == city_plan.__wrapped__(7)
    for seed in (1, 2, 3):
        plan = committee_plan(seed)
        assert Counter(c.form for c in plan) == {
            Form.VILLAGE_RESIDENTS: 54, Form.VILLAGE_ENTERPRISE: 58, Form.DEPARTMENT_VILLAGE: 51
        }
        assert len({v for c in plan for v in c.village_codes}) == 367


def test_twelve_months_of_updates_with_a_realistic_mix(first_run: str) -> None:
    from django.utils import timezone

    from twinning.monthly import rules
    from twinning.monthly.models import MonthlyUpdate, ReopenRequest
    from twinning.monthly.selectors import completeness
    from twinning.shared.periods import add_months

    today = timezone.localdate()
    last = rules.last_due_period(today)
    periods = sorted(set(MonthlyUpdate.objects.values_list("period", flat=True)))
    assert periods == [add_months(last, -i) for i in range(11, -1, -1)]
    report = completeness(JointCommittee.objects.all(), add_months(last, -1), today, months=12)
    assert report.total == 163
    older = Counter(cell.filing for row in report.rows for cell in row.cells[:-1] if cell.filing)
    owed = sum(older.values())
    assert older["on_time"] / owed > 0.7
    assert 0.04 < older["late"] / owed < 0.2
    assert older["returned"] >= 10 and older["missing"] >= 20
    # Some returned updates were fixed and accepted: they keep the reason.
    assert MonthlyUpdate.objects.filter(status="accepted").exclude(return_reason="").exists()
    # The month being filed now is only partly filed.
    current = MonthlyUpdate.objects.filter(period=last)
    assert 0 < current.filter(status__in=["submitted", "accepted"]).count() < 163
    assert ReopenRequest.objects.filter(status="pending").count() == 2
    assert f"月度工作报告: 新建 {MonthlyUpdate.objects.count()} / 已有 0" in first_run


def test_completeness_of_the_demo_city_makes_a_fixed_number_of_queries(
    first_run: str, client, django_assert_num_queries, figures_not_kept
) -> None:
    from django.urls import reverse

    from twinning.shared.models import Role
    from twinning.site.accounts import user_create

    user = user_create(username="demo-dept", role=Role.DEPARTMENT, password="Demo-pass-2026")
    client.force_login(user)
    url = reverse("monthly_completeness")
    client.get(url)
    town = Town.objects.order_by("code").first()
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"town": town.code})
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.context["report"].total == 163
def test_demo_reviews_rate_every_member_of_every_active_committee(first_run: str) -> None:
    from django.utils import timezone

    from evaluations.reviews.demo import demo_halves
    from evaluations.reviews.models import MemberReview, ReviewRound
    from evaluations.reviews.services import roster_committees

    rounds = list(ReviewRound.objects.all())
    expected = demo_halves(timezone.localdate())
    assert sorted((r.year, r.half) for r in rounds) == sorted(expected)
    roster = roster_committees()
    for review_round in rounds:
        assert review_round.closed_at is not None and review_round.is_locked()
        reviews = review_round.reviews
        assert dict(reviews.values_list("member_id", "committee_id")) == roster
        shares = {k: n / len(roster) for k, n in
                  Counter(reviews.values_list("rating", flat=True)).items()}
        assert 0.28 <= shares["excellent"] <= 0.40
        assert 0.55 <= shares["qualified"] <= 0.68
        assert 0.02 <= shares["basic"] <= 0.04
        assert 0.001 <= shares["unqualified"] <= 0.005
        over_a_third = (
            reviews.values("committee")
            .annotate(total=Count("pk"),
                      excellent=Count("pk", filter=Q(rating=MemberReview.Rating.EXCELLENT)))
            .filter(excellent__gt=F("total") / 3.0)
        )
        assert not over_a_third.exists()
        assert not reviews.filter(rating__in=["basic", "unqualified"], basis="").exists()


def test_demo_unqualified_members_have_helpers_but_two_so_the_flags_show(first_run: str) -> None:
    from evaluations.reviews.models import HelpAssignment, MemberReview, ReviewRound
    from evaluations.reviews.selectors import stale_q

    older, latest = sorted(ReviewRound.objects.all(), key=lambda r: (r.year, r.half))
    unqualified = MemberReview.objects.filter(rating=MemberReview.Rating.UNQUALIFIED)
    assert unqualified.filter(round=older, help__isnull=True).count() == 0
    assert unqualified.filter(round=latest, help__isnull=True).count() == 2
    assert MemberReview.objects.filter(stale_q(), round=latest).count() == 2
    cases = HelpAssignment.objects.filter(review__round=older)
    assert cases.filter(status="open").count() == 2
    assert cases.filter(status="closed").exclude(outcome="").count() == cases.count() - 2
    assert not HelpAssignment.objects.filter(follow_ups=None, status="closed").exists()
    helpers_ok = HelpAssignment.objects.filter(
        helper__reviews__round=F("review__round"),
        helper__reviews__committee=F("review__committee"),
    ).exclude(helper__reviews__rating="unqualified")
    assert helpers_ok.count() == HelpAssignment.objects.count()
    # Last half's unqualified members were helped: none is unqualified again.
    again = unqualified.filter(round=latest, member__reviews__round=older,
                               member__reviews__rating="unqualified")
    assert not again.exists()


def test_demo_reviews_are_in_the_audit_trail_and_a_second_run_adds_none(
    first_run: str,
) -> None:
    from evaluations.reviews.models import HelpAssignment, HelpFollowUp, MemberReview, ReviewRound

    for model in (ReviewRound, MemberReview, HelpAssignment, HelpFollowUp):
        assert model.history.count() == model.objects.count(), model
    reviews = MemberReview.objects.count()
    assert f"党员评议结果: 新建 {reviews} / 已有 0" in first_run
    out = StringIO()
    call_command("load_demo_city", stdout=out)
    assert f"党员评议结果: 新建 0 / 已有 {reviews}" in out.getvalue()
    assert "民主评议: 新建 0 / 已有 2" in out.getvalue()
    assert MemberReview.history.count() == reviews


def test_every_demo_month_has_what_publishing_needs(first_run: str) -> None:
    """A fresh demo publishes without a visit to the settings, cases and next-steps pages."""
    from reports.bulletins.demo import LEADS
    from reports.bulletins.issuing import settings_missing
    from reports.bulletins.models import BulletinSettings, BulletinText, TypicalCase
    from twinning.committees.demo_history import history_months

    assert settings_missing(BulletinSettings.objects.get()) == []
    for period in history_months(timezone.localdate()):
        cases = TypicalCase.objects.filter(period=period)
        # Chosen from the month's records, as the department chooses them.
        assert cases.count() == 2, period
        assert all(c.aid_project_id or c.hot_issue_id or c.activity_id for c in cases)
        assert all(c.body.startswith(tuple(LEADS.values())) for c in cases)
        assert cases.filter(aid_project__isnull=False).exists(), period
        assert BulletinText.objects.get(period=period).next_steps.startswith("一是")
    assert "典型案例: 新建 24 / 已有 0" in first_run
