"""Monthly inspections: the rubric, scores and totals, who may record what, rectification items
on the inspection form."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, Sum
from django.urls import reverse

from evaluations.inspections.models import (
    Inspection,
    InspectionCriterion,
    InspectionScore,
    Rectification,
)
from evaluations.inspections.services import inspection_save, rubric_save, score_field
from tests.factories import make_inspection, make_meeting
from twinning.shared.child_rows import ChildRow

VISIT = datetime.date(2025, 3, 12)


@pytest.fixture
def rubric(db: None) -> list[InspectionCriterion]:
    return list(InspectionCriterion.objects.filter(active=True))


def _form_data(
    rubric: list[InspectionCriterion], *, committee: Any = None, visited_on: str = "2025-03-12",
    scores: list[str] | None = None, items: list[dict[str, Any]] = (), initial: int = 0,
) -> dict[str, Any]:
    scores = scores or ["18"] * len(rubric)
    data = {
        "visited_on": visited_on, "team": "张督查、李督查", "findings": "总体良好。",
        "items-TOTAL_FORMS": str(len(items)), "items-INITIAL_FORMS": str(initial),
        "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "1000",
    }
    if committee is not None:
        data["committee"] = committee.pk
    data.update({score_field(c.pk): s for c, s in zip(rubric, scores, strict=True)})
    for n, item in enumerate(items):
        data.update({f"items-{n}-{key}": value for key, value in item.items()})
    return data


def test_default_rubric_is_five_criteria_of_twenty_points(rubric) -> None:
    assert [(c.name, c.max_score) for c in rubric] == [
        ("组织生活", 20), ("互帮互助活动", 20), ("帮扶项目进度", 20), ("台账资料", 20),
        ("群众满意度", 20),
    ]


def test_score_above_max_is_refused_on_its_field(client, inspector_user, committee, rubric) -> None:
    client.force_login(inspector_user)
    data = _form_data(rubric, committee=committee, scores=["18", "20.5", "18", "18", "18"])
    response = client.post(reverse("inspection_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [score_field(rubric[1].pk)]
    assert errors[score_field(rubric[1].pk)] == [
        "「互帮互助活动」的得分须在0至20分之间（满分20分）。"]
    assert not Inspection.objects.exists()


def test_service_refuses_a_score_above_max_even_without_the_form(committee, rubric) -> None:
    scores = {c.pk: Decimal(10) for c in rubric} | {rubric[0].pk: Decimal(25)}
    with pytest.raises(ValidationError) as caught:
        inspection_save(committee=committee, visited_on=VISIT, team="张", findings="好",
                        scores=scores)
    assert caught.value.message_dict == {
        score_field(rubric[0].pk): ["「组织生活」的得分须在0至20分之间（满分20分）。"]
    }
    assert not Inspection.objects.exists()


def test_total_is_the_sum_of_the_scores(committee, rubric) -> None:
    values = [Decimal("17.5"), Decimal("20"), Decimal("12"), Decimal("19.5"), Decimal("0")]
    inspection = make_inspection(committee, scores=dict(zip([c.pk for c in rubric], values,
                                                            strict=True)))
    inspection.refresh_from_db()
    assert (inspection.total, inspection.max_total) == (Decimal("69.0"), Decimal("100.0"))
    assert inspection.scores.aggregate(s=Sum("score"))["s"] == inspection.total
    assert inspection.period == datetime.date(2025, 3, 1)


def test_correcting_a_score_updates_the_total_and_only_that_row(committee, rubric) -> None:
    inspection = make_inspection(committee, score=Decimal(18))
    scores = {c.pk: Decimal(18) for c in rubric} | {rubric[2].pk: Decimal("9.5")}
    inspection_save(inspection=inspection, committee=committee, visited_on=VISIT,
                    team="张", findings="更正", scores=scores)
    inspection.refresh_from_db()
    assert inspection.total == Decimal("81.5")
    changed = InspectionScore.history.filter(history_type="~")
    assert [h.criterion_name for h in changed] == ["帮扶项目进度"]


def test_a_past_inspection_keeps_the_rubric_it_was_scored_with(
    client, department_user, committee, rubric
) -> None:
    inspection = make_inspection(committee, score=Decimal(15))
    rows = [ChildRow(values={"name": c.name, "description": c.description,
                             "max_score": c.max_score, "order": c.order, "active": True}, pk=c.pk)
            for c in rubric]
    rows[0] = ChildRow(values={**rows[0].values, "name": "党内组织生活", "max_score": Decimal(30)},
                       pk=rubric[0].pk)
    rows[4] = ChildRow(values={**rows[4].values, "active": False}, pk=rubric[4].pk)
    rubric_save(rows=rows)
    client.force_login(department_user)
    detail = client.get(inspection.get_absolute_url())
    assert [(s.criterion_name, s.max_score) for s in detail.context["scores"]][:1] == [
        ("组织生活", Decimal(20))]
    assert len(detail.context["scores"]) == 5
    # Correcting it shows the same five lines; a new inspection uses the new rubric.
    edit = client.get(reverse("inspection_edit", args=[inspection.pk])).context["form"]
    assert [(line.name, line.max_score) for line in edit.lines][0] == ("组织生活", Decimal(20))
    new = client.get(reverse("inspection_create")).context["form"]
    assert [(line.name, line.max_score) for line in new.lines] == [
        ("党内组织生活", Decimal(30)), ("互帮互助活动", 20), ("帮扶项目进度", 20), ("台账资料", 20)]
    assert new.max_total == Decimal(90)


def test_a_used_criterion_cannot_be_deleted(committee, rubric) -> None:
    make_inspection(committee)
    with pytest.raises(ProtectedError):
        rubric[0].delete()


def test_rubric_keeps_one_active_criterion_and_distinct_names(rubric) -> None:
    def row(c: InspectionCriterion, **values: Any) -> ChildRow:
        base = {"name": c.name, "description": "", "max_score": c.max_score, "order": c.order,
                "active": True}
        return ChildRow(values={**base, **values}, pk=c.pk)

    with pytest.raises(ValidationError, match="至少须启用一个评分项"):
        rubric_save(rows=[row(c, active=False) for c in rubric])
    with pytest.raises(ValidationError, match="评分项名称重复：台账资料"):
        rubric_save(rows=[row(rubric[0], name="台账资料")])
    assert InspectionCriterion.objects.get(pk=rubric[0].pk).name == "组织生活"


def test_department_adds_a_criterion_on_the_rubric_page(client, department_user, rubric) -> None:
    client.force_login(department_user)
    data = {"criteria-TOTAL_FORMS": "6", "criteria-INITIAL_FORMS": "5",
            "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "1000"}
    for n, c in enumerate(rubric):
        data.update({f"criteria-{n}-id": c.pk, f"criteria-{n}-name": c.name,
                     f"criteria-{n}-description": c.description,
                     f"criteria-{n}-max_score": "16", f"criteria-{n}-order": c.order,
                     f"criteria-{n}-active": "on"})
    data.update({"criteria-5-name": "乡风文明", "criteria-5-max_score": "20",
                 "criteria-5-order": "6", "criteria-5-active": "on"})
    response = client.post(reverse("inspection_rubric"), data)
    assert response.status_code == 302
    assert list(InspectionCriterion.objects.values_list("name", "max_score"))[-2:] == [
        ("群众满意度", Decimal(16)), ("乡风文明", Decimal(20))]


def test_one_inspection_per_committee_and_month(client, inspector_user, committee, rubric) -> None:
    make_inspection(committee, visited_on=datetime.date(2025, 3, 3))
    client.force_login(inspector_user)
    response = client.post(reverse("inspection_create"),
                           _form_data(rubric, committee=committee, visited_on="2025-03-28"))
    assert response.context["form"].errors["visited_on"] == [
        "「测试后黄疃联合党总支」2025年3月已有督查记录，每月督查一次；如需更正请修改原记录。"]
    assert Inspection.objects.count() == 1


def test_visit_cannot_be_in_the_future_or_before_the_committee(committee, rubric) -> None:
    scores = {c.pk: Decimal(10) for c in rubric}
    today = datetime.date(2025, 3, 10)
    with pytest.raises(ValidationError) as caught:
        inspection_save(committee=committee, visited_on=datetime.date(2025, 3, 11), team="张",
                        findings="好", scores=scores, today=today)
    assert caught.value.message_dict["visited_on"] == ["督查日期不能晚于今天。"]
    with pytest.raises(ValidationError) as caught:
        inspection_save(committee=committee, visited_on=datetime.date(2023, 12, 31), team="张",
                        findings="好", scores=scores, today=today)
    assert caught.value.message_dict["visited_on"] == [
        "督查日期不能早于联合党组织成立日期（2024-01-01）。"]


def test_inspector_records_an_inspection_with_rectification_items(
    client, inspector_user, committee, rubric
) -> None:
    client.force_login(inspector_user)
    form = client.get(reverse("inspection_create"), {"committee": committee.code}).context["form"]
    assert form["committee"].value() == committee.pk
    items = [
        {"description": "补齐三会一课记录", "owner": "王书记", "due_on": "2025-04-15"},
        {"description": "", "owner": "", "due_on": ""},  # a blank row is ignored
        {"description": "公示帮扶项目进展", "owner": "李支书", "due_on": "2025-04-30"},
    ]
    response = client.post(reverse("inspection_create"), _form_data(
        rubric, committee=committee, scores=["16", "17.5", "18", "15", "19"], items=items))
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response.url == inspection.get_absolute_url()
    assert inspection.total == Decimal("85.5")
    assert inspection.recorded_by == inspector_user
    assert list(inspection.rectifications.values_list("description", "owner", "committee")) == [
        ("补齐三会一课记录", "王书记", committee.pk), ("公示帮扶项目进展", "李支书", committee.pk)]
    body = client.get(inspection.get_absolute_url()).content.decode()
    assert "补齐三会一课记录" in body and "85.5" in body


def test_a_rectification_due_before_the_visit_is_refused_on_its_row(
    client, inspector_user, committee, rubric
) -> None:
    client.force_login(inspector_user)
    items = [{"description": "补齐记录", "owner": "王书记", "due_on": "2025-03-01"}]
    response = client.post(reverse("inspection_create"),
                           _form_data(rubric, committee=committee, items=items))
    assert response.context["formset"].forms[0].errors == {"due_on": ["整改期限不能早于督查日期。"]}
    assert not Inspection.objects.exists()


def test_inspector_cannot_record_for_a_committee_not_assigned(
    client, inspector_user, committee, second_committee, other_committee, rubric
) -> None:
    client.force_login(inspector_user)
    response = client.post(reverse("inspection_create"),
                           _form_data(rubric, committee=other_committee))
    assert "committee" in response.context["form"].errors
    assert not Inspection.objects.exists()
    elsewhere = make_inspection(other_committee)
    assert client.get(elsewhere.get_absolute_url()).status_code == 404
    edit_url = reverse("inspection_edit", args=[elsewhere.pk])
    assert client.post(edit_url, _form_data(rubric)).status_code == 404
    offered = client.get(reverse("inspection_create")).context["form"].fields["committee"]
    assert set(offered.queryset) == {committee, second_committee}


def test_secretary_reads_inspections_but_cannot_change_them(
    client, secretary_user, committee, rubric
) -> None:
    inspection = make_inspection(committee, items=[{"description": "补齐记录"}])
    client.force_login(secretary_user)
    body = client.get(inspection.get_absolute_url()).content.decode()
    assert "补齐记录" in body and reverse("inspection_edit", args=[inspection.pk]) not in body
    response = client.post(reverse("inspection_edit", args=[inspection.pk]),
                           _form_data(rubric, scores=["0"] * 5))
    assert response.status_code == 403
    inspection.refresh_from_db()
    assert inspection.total == Decimal(90)
    assert client.get(reverse("inspection_create")).status_code == 403


def test_town_staff_see_the_inspections_of_their_town_only(
    client, town_user, committee, other_committee
) -> None:
    mine, theirs = make_inspection(committee), make_inspection(other_committee)
    client.force_login(town_user)
    listed = list(client.get(reverse("inspection_list")).context["page"].object_list)
    assert listed == [mine]
    assert client.get(theirs.get_absolute_url()).status_code == 404


def test_list_filters_by_month_town_committee_and_score(
    client, department_user, committee, second_committee, other_committee
) -> None:
    march = make_inspection(committee, score=Decimal(19))
    april = make_inspection(committee, visited_on=datetime.date(2025, 4, 9), score=Decimal(14))
    second = make_inspection(second_committee, score=Decimal(12))
    other = make_inspection(other_committee, score=Decimal(17))
    client.force_login(department_user)

    def listed(**params: str) -> list[Inspection]:
        return list(client.get(reverse("inspection_list"), params).context["page"].object_list)

    assert listed(month="2025-03") == [march, other, second]
    assert listed(town=other_committee.town.code) == [other]
    assert listed(q="JC-MZ-1") == [april, march]
    assert listed(min_score="80", max_score="90") == [other]
    response = client.get(reverse("inspection_list"), {"month": "2025-13"})
    assert response.context["filter_form"].errors["month"] == [
        "「2025-13」不是有效的月份，应为 YYYY-MM，例如 2025-03。"]
    assert len(response.context["page"].object_list) == 4


def test_correcting_an_inspection_edits_and_deletes_open_items_but_not_closed_ones(
    client, inspector_user, committee, rubric
) -> None:
    inspection = make_inspection(committee, items=[{"description": "甲"}, {"description": "乙"},
                                                   {"description": "丙"}])
    first, second, third = inspection.rectifications.order_by("pk")
    Rectification.objects.filter(pk=third.pk).update(
        status=Rectification.Status.CLOSED, closed_on=datetime.date(2025, 3, 20))
    client.force_login(inspector_user)
    url = reverse("inspection_edit", args=[inspection.pk])
    formset = client.get(url).context["formset"]
    assert [f.instance.pk for f in formset.forms if f.instance.pk] == [first.pk, second.pk]
    items = [
        {"id": first.pk, "description": "甲（改）", "owner": "王责任", "due_on": "2025-04-11"},
        {"id": second.pk, "description": "乙", "owner": "王责任", "due_on": "2025-04-11",
         "DELETE": "on"},
        {"description": "丁", "owner": "赵", "due_on": "2025-05-01"},
    ]
    response = client.post(url, _form_data(rubric, items=items, initial=2))
    assert response.status_code == 302
    assert list(inspection.rectifications.order_by("pk").values_list("description", "status")) == [
        ("甲（改）", "open"), ("丙", "closed"), ("丁", "open")]
    # A closed item smuggled into the form is refused, whatever the form says.
    items = [{"id": third.pk, "description": "丙（改）", "owner": "王", "due_on": "2025-04-11"}]
    response = client.post(url, _form_data(rubric, items=items, initial=1))
    assert response.context["form"].non_field_errors() == [
        "第1项整改事项已不能修改（可能已被他人办结或删除），请刷新页面后再试。"]
    assert Rectification.objects.get(pk=third.pk).description == "丙"
    assert inspection.rectifications.count() == 3


def test_department_reads_inspections_in_the_admin_but_records_them_on_the_site(
    client, department_user, committee
) -> None:
    inspection = make_inspection(committee, items=[{"description": "补齐记录"}])
    meeting = make_meeting(items=[{"description": "约谈"}])
    client.force_login(department_user)
    for url in (
        reverse("admin:evaluations_inspection_change", args=[inspection.pk]),
        reverse("admin:evaluations_rectification_changelist"),
        reverse("admin:evaluations_inspectioncriterion_changelist"),
        reverse("admin:twinning_jointmeeting_change", args=[meeting.pk]),
    ):
        assert client.get(url).status_code == 200, url
    body = client.get(reverse("admin:evaluations_inspection_change", args=[inspection.pk]))
    assert "补齐记录" in body.content.decode()
    assert client.get(reverse("admin:evaluations_inspection_add")).status_code == 403
