"""The aid and mutual-help pages: who records what, the forms, the lists and fixed queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EnterpriseFactory, MemberFactory, make_committee
from tests.factories_aid import (
    ActivityFactory,
    AidProjectFactory,
    GovernanceFactory,
    HotIssueFactory,
    OutputFactory,
    PairingFactory,
    ProgressFactory,
    SecondmentFactory,
    first_village,
)
from twinning.aid.models import (
    AidProject,
    GovernanceRecord,
    HelpActivity,
    HotIssue,
    InfrastructureOutput,
    Mechanism,
    MemberPairing,
    ProjectProgress,
    Secondment,
)

Category = AidProject.Category


def _project_data(committee, **changes) -> dict:
    return {"title": "蔬菜大棚基地", "category": "industry", "funder": committee.urban_id,
            "status": "active", "started_on": "2024-03-01", "finished_on": "",
            "investment_planned": "100000", "households": "10", "extra_income": "0",
            "area_mu": "", "description": "", **changes}


def _count_queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_secretary_records_projects_for_their_own_committee_only(
    client, secretary_user, committee, other_committee
) -> None:
    client.force_login(secretary_user)
    response = client.post(reverse("record_create", args=[committee.code, "projects"]),
                           _project_data(committee, funder=EnterpriseFactory().pk))
    project = AidProject.objects.get(committee=committee)
    assert response.status_code == 302 and response.url == project.get_absolute_url()
    assert project.mechanism == Mechanism.ENTERPRISE
    assert project.history.get().history_user == secretary_user
    response = client.post(reverse("record_create", args=[other_committee.code, "projects"]),
                           _project_data(other_committee))
    assert response.status_code == 404
    assert not AidProject.objects.filter(committee=other_committee).exists()


def test_town_staff_record_for_their_towns_committees(
    client, town_user, second_committee, other_committee
) -> None:
    client.force_login(town_user)
    data = {"year": "2024", "title": "村内道路硬化", "status": "open", "solved_on": "",
            "description": ""}
    mine = client.post(reverse("record_create", args=[second_committee.code, "hot-issues"]), data)
    assert mine.status_code == 302
    assert HotIssue.objects.get().committee == second_committee
    theirs = client.post(reverse("record_create", args=[other_committee.code, "hot-issues"]), data)
    assert theirs.status_code == 404
    assert HotIssue.objects.count() == 1


def test_inspectors_read_records_but_cannot_change_them(client, inspector_user, committee) -> None:
    issue = HotIssueFactory(committee=committee, title="饮水安全")
    client.force_login(inspector_user)
    page = client.get(reverse("committee_records", args=[committee.code, "hot-issues"]))
    assert "饮水安全" in page.content.decode() and "新增" not in page.content.decode()
    for url in (reverse("record_create", args=[committee.code, "hot-issues"]),
                reverse("record_edit", args=["hot-issues", issue.pk]),
                reverse("record_delete", args=["hot-issues", issue.pk])):
        response = client.post(url, {"year": "2024", "title": "改", "status": "open"})
        assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.title == "饮水安全"


def test_a_secretary_cannot_delete_another_committees_record(
    client, secretary_user, other_committee
) -> None:
    report = ProgressFactory(project__committee=other_committee)
    client.force_login(secretary_user)
    response = client.post(reverse("record_delete", args=["progress", report.pk]))
    assert response.status_code == 404
    assert ProjectProgress.objects.filter(pk=report.pk).exists()


def _forms(committee) -> dict[str, tuple[type, dict, str, str]]:
    """Per kind: model, valid data, a field to change and its new value."""
    village = first_village(committee)
    urban_member = MemberFactory(branch=committee.urban)
    village_member = MemberFactory(branch=village)
    return {
        "projects": (AidProject, _project_data(committee), "title", "果品种植园"),
        "secondments": (Secondment, {
            "member": "", "name": "张挂职", "from_branch": committee.urban_id,
            "to_branch": village.pk, "position": "第一书记", "started_on": "2024-03-01",
            "ended_on": ""}, "position", "副书记"),
        "pairings": (MemberPairing, {
            "urban_member": urban_member.pk, "village_member": village_member.pk,
            "since": "2024-03-01", "until": "", "help": "种养技术帮扶"}, "help", "就业信息帮扶"),
        "activities": (HelpActivity, {
            "kind": "training", "held_on": "2024-05-01", "title": "电商培训", "count": "30",
            "description": ""}, "count", "45"),
        "hot-issues": (HotIssue, {
            "year": "2024", "title": "路灯安装", "status": "open", "solved_on": "",
            "description": ""}, "status", "in_progress"),
        "governance": (GovernanceRecord, {
            "village": village.pk, "kind": "rules", "count": "3", "done_on": "2024-06-01",
            "note": ""}, "count", "5"),
    }


@pytest.mark.parametrize("kind", ["projects", "secondments", "pairings", "activities",
                                  "hot-issues", "governance"])
def test_every_kind_is_added_changed_and_deleted_through_the_pages(
    client, secretary_user, committee, kind
) -> None:
    model, data, field, value = _forms(committee)[kind]
    client.force_login(secretary_user)
    form = client.get(reverse("record_create", args=[committee.code, kind]))
    assert form.status_code == 200 and 'type="date"' in form.content.decode()
    if kind == "projects":
        assert form.context["form"]["funder"].value() == committee.urban_id
    assert client.post(reverse("record_create", args=[committee.code, kind]),
                       data).status_code == 302
    record = model.objects.get()
    listed = client.get(reverse("committee_records", args=[committee.code, kind]))
    assert listed.context["page"].object_list[0] == record
    edit_url = reverse("record_edit", args=[kind, record.pk])
    assert client.post(edit_url, {**data, field: value}).status_code == 302
    record.refresh_from_db()
    assert str(getattr(record, f"{field}_id", None) or getattr(record, field)) == value
    delete_url = reverse("record_delete", args=[kind, record.pk])
    assert "确认删除" in client.get(delete_url).content.decode()
    assert client.post(delete_url).status_code == 302
    assert not model.objects.exists()
    assert model.history.filter(history_type="-").count() == 1


def test_progress_and_outputs_are_added_on_the_project_page(
    client, secretary_user, committee
) -> None:
    project = AidProjectFactory(committee=committee, category=Category.INFRASTRUCTURE,
                                started_on=datetime.date(2024, 3, 1))
    client.force_login(secretary_user)
    for kind, data in (
        ("progress", {"reported_on": "2024-04-20", "investment": "10000.50", "jobs": "0",
                      "note": "路基完成"}),
        ("progress", {"reported_on": "2024-05-20", "investment": "20000.25", "jobs": "0",
                      "note": ""}),
        ("outputs", {"kind": "road_km", "quantity": "1.20", "completed_on": "2024-05-20",
                     "note": "村东大街"}),
    ):
        response = client.post(reverse("project_record_create", args=[project.pk, kind]), data)
        assert response.status_code == 302 and response.url == project.get_absolute_url()
    body = client.get(project.get_absolute_url()).content.decode()
    assert "3.00万元" in body  # 30,000.75 yuan
    assert "1.2 公里" in body and "村东大街" in body
    assert InfrastructureOutput.objects.get().project == project
    wrong = client.post(reverse("project_record_create", args=[project.pk, "projects"]), {})
    assert wrong.status_code == 404


def test_forms_show_the_services_messages(client, secretary_user, committee) -> None:
    client.force_login(secretary_user)
    response = client.post(reverse("record_create", args=[committee.code, "projects"]),
                           _project_data(committee, status="done"))
    assert response.status_code == 200
    assert "已完成的项目须填写完成日期。" in response.content.decode()
    assert not AidProject.objects.exists()
    planned = AidProjectFactory(committee=committee, status="planned", started_on=None)
    response = client.post(reverse("project_record_create", args=[planned.pk, "progress"]),
                           {"reported_on": "2024-04-20", "investment": "1", "jobs": "0"})
    assert "项目尚未开工（状态为计划中），请先把项目状态改为进行中。" in response.content.decode()


def test_member_names_are_hidden_from_inspectors(
    client, secretary_user, inspector_user, committee
) -> None:
    PairingFactory(committee=committee,
                   urban_member=MemberFactory(branch=committee.urban, name="城市甲"))
    SecondmentFactory(committee=committee, name="挂职乙")
    for user, shown in ((secretary_user, True), (inspector_user, False)):
        client.force_login(user)
        for kind, name in (("pairings", "城市甲"), ("secondments", "挂职乙")):
            body = client.get(reverse("committee_records", args=[committee.code, kind]))
            assert (name in body.content.decode()) is shown, (user, kind)


def test_project_list_searches_filters_and_totals(
    client, department_user, town, committee, other_committee
) -> None:
    enterprise = EnterpriseFactory(name="益欣测试公司")
    mine = AidProjectFactory(committee=committee, title="畜牧养殖基地", funder=enterprise)
    ProgressFactory(project=mine, investment=Decimal("12345.67"))
    AidProjectFactory(committee=other_committee, title="路灯安装", category=Category.INFRASTRUCTURE)
    AidProjectFactory(committee=committee, title="培训", status="planned", started_on=None)
    client.force_login(department_user)

    def titles(**params) -> list[str]:
        page = client.get(reverse("project_list"), params).context["page"]
        return sorted(p.title for p in page.object_list)

    assert titles(q="益欣") == ["畜牧养殖基地"]
    assert titles(mechanism="enterprise") == ["畜牧养殖基地"]
    assert titles(category="infrastructure") == ["路灯安装"]
    assert titles(status="planned") == ["培训"]
    assert titles(town=town.code) == ["培训", "畜牧养殖基地"]
    assert titles(committee=other_committee.code) == ["路灯安装"]
    body = client.get(reverse("project_list")).content.decode()
    assert "实际投资合计 1.23万元" in body
    assert f'<option value="{other_committee.code}"' in body
    assert "没有符合条件的帮扶项目" in client.get(reverse("project_list"),
                                          {"q": "不存在"}).content.decode()


def test_project_list_paginates_with_a_fixed_number_of_queries(
    client, town_user, town, committee, django_assert_num_queries
) -> None:
    client.force_login(town_user)
    ProgressFactory(project__committee=committee)
    url = reverse("project_list")
    client.get(url)
    small = _count_queries(client, url)
    for _ in range(14):
        home = make_committee(town=town)
        ProgressFactory(project__committee=home)
        ProgressFactory(project__committee=home, reported_on=datetime.date(2024, 5, 1))
        AidProjectFactory(committee=home, title="第二个项目")
    with django_assert_num_queries(small):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.count == 1 + 14 * 3


def test_committee_records_make_a_fixed_number_of_queries(
    client, secretary_user, committee, django_assert_num_queries
) -> None:
    client.force_login(secretary_user)
    for kind, make in (("pairings", PairingFactory), ("secondments", SecondmentFactory),
                       ("governance", GovernanceFactory), ("projects", AidProjectFactory)):
        url = reverse("committee_records", args=[committee.code, kind])
        make(committee=committee)
        client.get(url)
        small = _count_queries(client, url)
        make.create_batch(6, committee=committee)
        with django_assert_num_queries(small):
            client.get(url)


def test_committee_records_filter_by_year_and_choice(client, secretary_user, committee) -> None:
    ActivityFactory(committee=committee, kind="training", held_on=datetime.date(2024, 5, 1),
                    title="二四年培训")
    ActivityFactory(committee=committee, kind="fellowship", held_on=datetime.date(2025, 5, 1),
                    title="二五年联谊")
    client.force_login(secretary_user)
    url = reverse("committee_records", args=[committee.code, "activities"])

    def titles(**params) -> list[str]:
        return [a.title for a in client.get(url, params).context["page"].object_list]

    assert titles() == ["二五年联谊", "二四年培训"]
    assert titles(year="2024") == ["二四年培训"]
    assert titles(kind="fellowship") == ["二五年联谊"]
    assert "没有符合条件的记录" in client.get(url, {"year": "2019"}).content.decode()
    assert client.get(reverse("committee_records", args=[committee.code, "nope"])).status_code \
        == 404


def _outcome_data(committee) -> None:
    project = AidProjectFactory(committee=committee, category=Category.INFRASTRUCTURE)
    ProgressFactory(project=project, investment=Decimal("870000"))
    OutputFactory(project=project, kind="street_lamps", quantity=Decimal("40"))
    ActivityFactory(committee=committee)
    SecondmentFactory(committee=committee)
    HotIssueFactory(committee=committee, status="solved", solved_on=datetime.date(2024, 8, 1))
    GovernanceFactory(committee=committee)


@pytest.mark.parametrize("role_fixture", ["department_user", "leader_user", "town_user"])
def test_citywide_outcomes_make_a_fixed_number_of_queries(
    client, request, town, committee, role_fixture, django_assert_num_queries, figures_not_kept
) -> None:
    client.force_login(request.getfixturevalue(role_fixture))
    _outcome_data(committee)
    url = reverse("outcomes_citywide")
    client.get(url)
    small = _count_queries(client, url)
    for kind in ("residents", "enterprise", "department") * 3:
        _outcome_data(make_committee(town=town, urban_kind=kind))
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.context["outcomes"].total.infrastructure_investment == Decimal("8700000")
    assert "870.00万元" in response.content.decode()


def test_committee_outcomes_make_a_fixed_number_of_queries(
    client, secretary_user, committee, django_assert_num_queries
) -> None:
    client.force_login(secretary_user)
    url = reverse("committee_outcomes", args=[committee.code])
    _outcome_data(committee)
    client.get(url)
    small = _count_queries(client, url)
    for _ in range(3):
        ProgressFactory(project=AidProject.objects.get(), reported_on=datetime.date(2024, 4, 1)
                        + datetime.timedelta(days=_))
        ActivityFactory(committee=committee)
    with django_assert_num_queries(small):
        response = client.get(url)
    body = response.content.decode()
    assert "40盏" in body and "基础设施投入" in body


def test_citywide_outcomes_follow_scope_town_and_form(
    client, leader_user, town_user, committee, other_committee
) -> None:
    _outcome_data(committee)
    _outcome_data(other_committee)
    client.force_login(leader_user)
    url = reverse("outcomes_citywide")

    def infrastructure(**params) -> Decimal:
        return client.get(url, params).context["outcomes"].total.infrastructure_investment

    assert infrastructure() == Decimal("1740000")
    assert infrastructure(town=committee.town.code) == Decimal("870000")
    assert infrastructure(form="village_enterprise") == Decimal("0")
    assert infrastructure(scope="year", year="2024") == Decimal("1740000")
    assert infrastructure(scope="year", year="2025") == Decimal("0")
    assert infrastructure(scope="month", period="2024-04") == Decimal("1740000")
    bad = client.get(url, {"scope": "month", "period": "2024-13"})
    assert "不是有效的月份" in bad.content.decode()
    assert bad.context["scope"].kind == "all"
    assert "全市帮扶成效" in client.get(url).content.decode()
    client.force_login(town_user)
    assert "本镇街帮扶成效" in client.get(url).content.decode()
    assert infrastructure() == Decimal("870000")
    assert infrastructure(town=other_committee.town.code) == Decimal("0")


def test_committee_page_links_to_its_aid_and_mutual_help(client, secretary_user, committee) -> None:
    client.force_login(secretary_user)
    body = client.get(committee.get_absolute_url()).content.decode()
    for kind in ("projects", "secondments", "pairings", "activities", "hot-issues", "governance"):
        assert reverse("committee_records", args=[committee.code, kind]) in body
    assert reverse("committee_outcomes", args=[committee.code]) in body


def test_navigation_offers_outcomes_to_those_who_may_see_them(
    client, leader_user, secretary_user
) -> None:
    client.force_login(leader_user)
    body = client.get(reverse("home")).content.decode()
    assert reverse("outcomes_citywide") in body and reverse("project_list") not in body
    client.force_login(secretary_user)
    body = client.get(reverse("home")).content.decode()
    assert reverse("outcomes_citywide") not in body and reverse("project_list") in body


@pytest.mark.parametrize("model", ["aidproject", "secondment", "memberpairing", "helpactivity",
                                   "hotissue", "governancerecord"])
def test_department_finds_the_records_in_the_admin(client, department_user, committee,
                                                   model) -> None:
    report = ProgressFactory(project__committee=committee)
    client.force_login(department_user)
    assert client.get(reverse(f"admin:twinning_{model}_changelist")).status_code == 200
    change = client.get(reverse("admin:twinning_aidproject_change", args=[report.project.pk]))
    assert change.status_code == 200 and "2024-04-15" in change.content.decode()


def test_admin_keeps_the_mechanism_following_the_funder(rf, department_user, committee) -> None:
    from django.contrib.admin import site

    project = AidProjectFactory(committee=committee)
    request = rf.get("/")
    request.user = department_user
    form_class = site._registry[AidProject].get_form(request, obj=project)
    data = {"committee": committee.pk, "title": project.title, "category": "industry",
            "status": "active", "started_on": "2024-03-01", "finished_on": "",
            "investment_planned": "100000", "households": "10", "extra_income": "0",
            "area_mu": "", "description": ""}
    village = first_village(committee)
    form = form_class(data={**data, "funder": village.pk}, instance=project)
    assert not form.is_valid()
    assert form.errors["funder"] == ["选择一个有效的选项： 该选择不在可用的选项中。"]
    enterprise = EnterpriseFactory()
    form = form_class(data={**data, "funder": enterprise.pk}, instance=project)
    assert form.is_valid(), form.errors
    assert form.save().mechanism == Mechanism.ENTERPRISE


def test_project_lists_show_a_planned_projects_planned_investment(
    client, department_user, committee
) -> None:
    AidProjectFactory(committee=committee, title="冷库", status="planned", started_on=None,
                      investment_planned=Decimal("350000"))
    client.force_login(department_user)
    for url in (reverse("project_list"),
                reverse("committee_records", args=[committee.code, "projects"])):
        row = client.get(url).content.decode().split("冷库", 1)[1].split("</tr>", 1)[0]
        assert "计划 35.00万元" in row, url
