"""The rules on aid projects and mutual-help records, through their services."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    MemberFactory,
    VillageFactory,
    make_committee,
)
from tests.factories_aid import (
    AidProjectFactory,
    GovernanceFactory,
    HotIssueFactory,
    OutputFactory,
    PairingFactory,
    ProgressFactory,
    SecondmentFactory,
    first_village,
)
from twinning.aid import services as aid_services
from twinning.aid.models import (
    AidProject,
    GovernanceRecord,
    HotIssue,
    Mechanism,
    OutputKind,
    ProjectProgress,
)
from twinning.committees.services import committee_dissolve

Status, Category = AidProject.Status, AidProject.Category


def _errors(excinfo: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


@pytest.mark.parametrize(
    ("funder_factory", "mechanism"),
    [(None, Mechanism.RESIDENTS), (EnterpriseFactory, Mechanism.ENTERPRISE),
     (DepartmentFactory, Mechanism.DEPARTMENT)],
)
def test_mechanism_follows_the_funders_kind(committee, funder_factory, mechanism) -> None:
    funder = funder_factory() if funder_factory else committee.urban
    project = AidProjectFactory(committee=committee, funder=funder)
    assert project.mechanism == mechanism
    project.refresh_from_db()
    assert project.mechanism == mechanism


def test_changing_the_funder_changes_the_mechanism(committee) -> None:
    project = AidProjectFactory(committee=committee)
    values = {f: getattr(project, f) for f in (
        "title", "category", "status", "started_on", "finished_on", "investment_planned",
        "households", "extra_income", "area_mu")}
    aid_services.project_save(committee=committee, record=project, funder=EnterpriseFactory(),
                              **values)
    project.refresh_from_db()
    assert project.mechanism == Mechanism.ENTERPRISE


def test_a_village_cannot_fund_a_project(committee) -> None:
    village = first_village(committee)
    with pytest.raises(ValidationError) as excinfo:
        AidProjectFactory(committee=committee, funder=village)
    assert _errors(excinfo)["funder"] == [
        f"「{village.name}」是村党组织，不能作为帮扶项目的出资方；出资方须为居委会、企业或部门。"
    ]
    assert not AidProject.objects.exists()


@pytest.mark.parametrize(
    ("status", "started", "finished", "field", "message"),
    [
        (Status.DONE, datetime.date(2024, 3, 1), None, "finished_on",
         "已完成的项目须填写完成日期。"),
        (Status.DONE, datetime.date(2024, 3, 1), datetime.date(2024, 2, 1), "finished_on",
         "结束日期不能早于开始日期。"),
        (Status.ACTIVE, None, None, "started_on", "进行中或已完成的项目须填写开工日期。"),
        (Status.ACTIVE, datetime.date(2024, 3, 1), datetime.date(2024, 9, 1), "finished_on",
         "进行中的项目不填完成日期；完成后请把状态改为已完成。"),
        (Status.PLANNED, None, datetime.date(2024, 9, 1), "finished_on",
         "计划中的项目不填完成日期。"),
        (Status.ACTIVE, datetime.date(2023, 12, 31), None, "started_on",
         "日期不能早于联合党组织成立日期（2024-01-01）。"),
        (Status.ACTIVE, datetime.date(2999, 1, 1), None, "started_on", "日期不能晚于今天。"),
    ],
)
def test_status_and_dates_must_agree(committee, status, started, finished, field, message) -> None:
    with pytest.raises(ValidationError) as excinfo:
        AidProjectFactory(committee=committee, status=status, started_on=started,
                          finished_on=finished)
    assert message in _errors(excinfo)[field]


def test_a_planned_project_may_name_a_future_start(committee) -> None:
    project = AidProjectFactory(committee=committee, status=Status.PLANNED,
                                started_on=datetime.date(2999, 1, 1))
    assert project.status == Status.PLANNED


def test_titles_are_unique_within_a_committee(committee, second_committee) -> None:
    AidProjectFactory(committee=committee, title="蔬菜大棚")
    AidProjectFactory(committee=second_committee, title="蔬菜大棚")
    with pytest.raises(ValidationError) as excinfo:
        AidProjectFactory(committee=committee, title="蔬菜大棚")
    assert excinfo.value.messages == ["本联合党组织已有同名项目。"]


def test_progress_needs_a_started_project_and_falls_within_it(committee) -> None:
    planned = AidProjectFactory(committee=committee, status=Status.PLANNED, started_on=None)
    with pytest.raises(ValidationError) as excinfo:
        ProgressFactory(project=planned)
    assert _errors(excinfo)["reported_on"] == [
        "项目尚未开工（状态为计划中），请先把项目状态改为进行中。"
    ]
    done = AidProjectFactory(committee=committee, status=Status.DONE,
                             started_on=datetime.date(2024, 3, 1),
                             finished_on=datetime.date(2024, 6, 30))
    for day, message in (
        (datetime.date(2024, 2, 29), "日期不能早于项目开工日期（2024-03-01）。"),
        (datetime.date(2024, 7, 1), "日期不能晚于项目完成日期（2024-06-30）。"),
    ):
        with pytest.raises(ValidationError) as excinfo:
            ProgressFactory(project=done, reported_on=day)
        assert _errors(excinfo)["reported_on"] == [message]
    ProgressFactory(project=done, reported_on=datetime.date(2024, 6, 30))
    with pytest.raises(ValidationError) as excinfo:
        ProgressFactory(project=done, reported_on=datetime.date(2024, 6, 30))
    assert excinfo.value.messages == ["该项目在这一天已有进度报告。"]


def _resave(project: AidProject, **changes) -> AidProject:
    values = {f: getattr(project, f) for f in (
        "title", "category", "funder", "status", "started_on", "finished_on",
        "investment_planned", "households", "extra_income", "area_mu")}
    return aid_services.project_save(committee=project.committee, record=project,
                                     **{**values, **changes})


def test_a_project_with_reports_keeps_dates_that_hold_them(committee) -> None:
    project = AidProjectFactory(committee=committee)
    ProgressFactory(project=project, reported_on=datetime.date(2024, 4, 15))
    with pytest.raises(ValidationError) as excinfo:
        _resave(project, status=Status.PLANNED, started_on=None)
    assert "该项目已有进度报告或建设成果，不能改回计划中。" in _errors(excinfo)["status"]
    project.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        _resave(project, started_on=datetime.date(2024, 5, 1))
    assert _errors(excinfo)["started_on"] == [
        "已有2024-04-15的进度或成果记录，开工日期不能晚于它。"
    ]
    project.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        _resave(project, status=Status.DONE, finished_on=datetime.date(2024, 4, 1))
    assert _errors(excinfo)["finished_on"] == [
        "已有2024-04-15的进度或成果记录，完成日期不能早于它。"
    ]
    project.refresh_from_db()
    done = _resave(project, status=Status.DONE, finished_on=datetime.date(2024, 4, 15))
    assert done.status == Status.DONE


def test_only_infrastructure_projects_have_outputs(committee) -> None:
    industry = AidProjectFactory(committee=committee)
    with pytest.raises(ValidationError) as excinfo:
        OutputFactory(project=industry)
    assert _errors(excinfo)["kind"] == ["只有基础设施类项目登记建设成果。"]
    output = OutputFactory(project__committee=committee, kind=OutputKind.ROAD_KM,
                           quantity=Decimal("1.25"))
    assert output.unit == "公里"
    with pytest.raises(ValidationError) as excinfo:
        _resave(output.project, category=Category.INDUSTRY)
    assert _errors(excinfo)["category"] == ["该项目已登记建设成果，类别须为基础设施。"]


def test_a_dissolved_committees_records_are_frozen(committee) -> None:
    project = AidProjectFactory(committee=committee)
    committee_dissolve(committee=committee, dissolved_on=datetime.date(2025, 6, 30), reason="调整")
    message = "联合党组织「测试后黄疃联合党总支」已于2025-06-30撤销，不能再登记或修改其记录。"
    with pytest.raises(ValidationError) as excinfo:
        ProgressFactory(project=project)
    assert excinfo.value.messages == [message]
    with pytest.raises(ValidationError) as excinfo:
        HotIssueFactory(committee=committee)
    assert excinfo.value.messages == [message]
    with pytest.raises(ValidationError):
        aid_services.record_delete(record=project)
    assert AidProject.objects.filter(pk=project.pk).exists()


def test_secondment_runs_between_the_urban_branch_and_a_village_either_way(committee) -> None:
    village = first_village(committee)
    outward = SecondmentFactory(committee=committee)
    assert (outward.from_branch, outward.to_branch) == (committee.urban, village)
    cadre = MemberFactory(branch=village, name="村干部甲")
    inward = SecondmentFactory(committee=committee, member=cadre, name="", from_branch=village,
                               to_branch=committee.urban)
    assert inward.name == "村干部甲"
    message = "派出和挂职党组织须一方为本联合党组织的城市党组织，另一方为其联建村。"
    for source, target in ((village, village), (village, VillageFactory(town=committee.town)),
                           (committee.memberships.last().village, village)):
        with pytest.raises(ValidationError) as excinfo:
            SecondmentFactory(committee=committee, from_branch=source, to_branch=target)
        assert _errors(excinfo)["to_branch"] == [message]


def test_a_seconded_member_belongs_to_the_sending_branch(committee) -> None:
    stranger = MemberFactory(branch=first_village(committee), name="王某")
    with pytest.raises(ValidationError) as excinfo:
        SecondmentFactory(committee=committee, member=stranger)
    assert _errors(excinfo)["member"] == ["「王某」不是派出党组织的党员。"]
    with pytest.raises(ValidationError) as excinfo:
        SecondmentFactory(committee=committee, name="  ")
    assert _errors(excinfo)["name"] == ["请选择党员或填写姓名。"]


def test_pairing_members_come_from_the_two_sides(committee, other_committee) -> None:
    pairing = PairingFactory(committee=committee)
    assert pairing.urban_member.branch == committee.urban
    with pytest.raises(ValidationError) as excinfo:
        PairingFactory(committee=committee,
                       urban_member=MemberFactory(branch=first_village(committee)),
                       village_member=MemberFactory(branch=first_village(other_committee)))
    assert _errors(excinfo) == {
        "urban_member": ["城市党员须是本联合党组织城市党组织的党员。"],
        "village_member": ["农村党员须是本联合党组织联建村的党员。"],
    }


def test_hot_issue_status_and_solved_date_agree(committee) -> None:
    cases = [
        ({"status": HotIssue.Status.SOLVED}, "已解决的问题须填写解决日期。"),
        ({"solved_on": datetime.date(2024, 5, 1)}, "问题尚未解决，不填解决日期。"),
        ({"status": HotIssue.Status.SOLVED, "solved_on": datetime.date(2023, 12, 1),
          "year": 2024}, "解决日期不能早于问题所属年度。"),
    ]
    for values, message in cases:
        with pytest.raises(ValidationError) as excinfo:
            HotIssueFactory(committee=committee, **values)
        assert message in _errors(excinfo)["solved_on"]
    with pytest.raises(ValidationError) as excinfo:
        HotIssueFactory(committee=committee, year=2023)
    assert _errors(excinfo)["year"][0].startswith("年度须在2024至")
    # Last year's issue solved this January is fine.
    issue = HotIssueFactory(committee=committee, year=2024, status=HotIssue.Status.SOLVED,
                            solved_on=datetime.date(2025, 1, 20))
    assert issue.solved_on.year == 2025


def test_governance_is_for_the_committees_villages_and_one_team_per_record(
    committee, other_committee
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        GovernanceFactory(committee=committee, village=first_village(other_committee))
    assert _errors(excinfo)["village"] == ["只能为本联合党组织的联建村登记。"]
    with pytest.raises(ValidationError) as excinfo:
        GovernanceFactory(committee=committee, kind=GovernanceRecord.Kind.TEAM_ADJUSTED, count=2)
    assert "一条记录只登记一次班子调整，数量须为1。" in _errors(excinfo)["count"]


def test_a_village_that_left_keeps_its_past_records(town) -> None:
    from twinning.committees.services import committee_remove_village

    committee = make_committee(town=town, villages=3)
    village = first_village(committee)
    committee_remove_village(committee=committee, village=village,
                             left_on=datetime.date(2025, 1, 1), reason="区划调整")
    record = GovernanceFactory(committee=committee, village=village)
    assert record.village == village


def test_deleting_a_project_deletes_its_reports_and_is_audited(committee) -> None:
    report = ProgressFactory(project__committee=committee)
    project, project_id, report_id = report.project, report.project.pk, report.pk
    aid_services.record_delete(record=project)
    assert not AidProject.objects.filter(pk=project_id).exists()
    assert AidProject.history.filter(id=project_id, history_type="-").count() == 1
    assert ProjectProgress.history.filter(id=report_id, history_type="-").count() == 1
