"""Importing the registers: all or nothing, every bad row reported where the clerk sees it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test.utils import CaptureQueriesContext

from branches.models import Branch, Member, Town
from tests.exchange_helpers import csv_bytes, history_rows, problems, xlsx_bytes
from tests.factories import MemberFactory, ResidentsFactory, VillageFactory, make_committee
from twinning.committees.models import CommitteeVillage, JointCommittee
from twinning.shared.exchange import KINDS, import_file
from twinning.shared.models import ImportRecord

pytestmark = pytest.mark.django_db

BRANCH_HEADER = ["编码", "名称", "类型", "所在镇街", "书记", "产业", "薄弱村"]


def run(kind, rows, *, user=None, dry_run=False, name=None, data=None):
    name = name or f"{kind}.csv"
    return import_file(kind, name, data or csv_bytes(rows), user=user, dry_run=dry_run)


def test_new_branches_are_created_with_values_read_as_clerks_write_them(town) -> None:
    report = run("branches", [
        BRANCH_HEADER,
        ["V-NEW-1", "新建一村", "村", town.code, "王书记", "蔬菜;养殖", "是"],
        ["R-NEW-1", "新建居委会", "residents", town.code, "", "", "no"],
        ["E-NEW-1", "新建有限公司", "企业", "", "", "", ""],
    ])
    assert report.ok, problems(report)
    assert (report.rows, report.created, report.changed, report.unchanged) == (3, 3, 0, 0)
    village = Branch.objects.get(code="V-NEW-1")
    assert (village.kind, village.town, village.weak, village.industries) == (
        "village", town, True, "蔬菜;养殖")
    assert Branch.objects.get(code="E-NEW-1").town is None
    record = ImportRecord.objects.get()
    assert (record.kind, record.created, record.status, record.dry_run, record.user) == (
        "branches", 3, "ok", False, None)


def test_dry_run_reports_what_would_change_and_writes_nothing(town) -> None:
    before = history_rows()
    report = run("branches", [BRANCH_HEADER, ["V-1", "一村", "村", town.code, "", "", "是"]],
                 dry_run=True)
    assert report.ok and report.created == 1 and not report.written
    assert report.changes[0].cells == [("编码", "", "V-1"), ("名称", "", "一村"),
                                       ("类型", "", "村"), ("所在镇街", "", town.code),
                                       ("薄弱村", "", "是")]
    assert not Branch.objects.filter(code="V-1").exists()
    assert history_rows() == before
    assert ImportRecord.objects.get().dry_run is True


def test_changed_rows_show_before_and_after_and_unchanged_rows_are_left_alone(town) -> None:
    village = VillageFactory(code="V-1", name="旧名村", town=town, secretary="甲", industries="",
                             weak=True)
    VillageFactory(code="V-2", name="不变村", town=town, secretary="乙", industries="",
                   weak=True)
    before = history_rows()
    report = run("branches", [
        ["code", "name", "kind", "town", "secretary", "weak"],
        ["V-1", "新名村", "village", town.code, "甲", "yes"],
        ["V-2", "不变村", "village", town.code, "乙", "yes"],
    ])
    assert (report.created, report.changed, report.unchanged) == (0, 1, 1)
    assert report.changes[0].cells == [("名称", "旧名村", "新名村")]
    village.refresh_from_db()
    assert village.name == "新名村"
    assert history_rows() == before + 1


def test_a_column_left_out_keeps_its_stored_value(town) -> None:
    MemberFactory(branch=VillageFactory(code="V-1", town=town), name="张三", phone="13900000000",
                  role="committee")
    report = run("members", [["branch", "name", "joined_on"], ["V-1", "张三", "2001-07-01"]])
    assert report.ok and report.changed == 1
    member = Member.objects.get(name="张三")
    assert (member.phone, member.role, member.joined_on) == (
        "13900000000", "committee", datetime.date(2001, 7, 1))


def test_members_are_matched_by_branch_code_and_name(town) -> None:
    first, second = VillageFactory(code="V-1", town=town), VillageFactory(code="V-2", town=town)
    MemberFactory(branch=first, name="李四", role="member")
    report = run("members", [
        ["所在党组织", "姓名", "职务", "入党日期", "联系电话"],
        ["V-1", "李四", "书记", "1999-07-01", ""],
        ["V-2", "李四", "", "2010/7/1", ""],
    ])
    assert report.ok, problems(report)
    assert (report.created, report.changed) == (1, 1)
    assert Member.objects.get(branch=first).role == "secretary"
    # A blank role is an ordinary member; dates as Excel writes them are read.
    other = Member.objects.get(branch=second)
    assert (other.role, other.joined_on) == ("member", datetime.date(2010, 7, 1))


def _committees_with(town, villages: list) -> JointCommittee:
    from tests.factories import JointCommitteeFactory

    return JointCommitteeFactory(code="C-HELD", name="已有联合党总支", town=town,
                                 urban=ResidentsFactory(code="R-H", town=town), villages=villages)


COMMITTEE_HEADER = ["code", "name", "urban", "villages", "formation", "established_on"]


@pytest.fixture
def held(town):
    villages = [VillageFactory(code=c, name=f"{c}村", town=town) for c in ("H-1", "H-2")]
    return _committees_with(town, villages)


BAD_FILES = {
    "unknown town code": (
        "branches",
        [BRANCH_HEADER, ["V-9", "九村", "村", "T-NONE", "", "", "是"]],
        (2, "D", "找不到编码为「T-NONE」的镇街。"),
    ),
    "yes/no not recognised": (
        "branches",
        [BRANCH_HEADER, ["V-9", "九村", "村", "T-MZ", "", "", "可能"]],
        (2, "G", "「可能」无法识别，请填写“是”或“否”（yes/no）。"),
    ),
    "kind not recognised": (
        "branches",
        [BRANCH_HEADER, ["V-9", "九村", "乡", "T-MZ", "", "", ""]],
        (2, "C", "「乡」不是可选的值，可填：居委会、企业、部门、村（或 residents、enterprise、"
                 "department、village）。"),
    ),
    "village without a town": (
        "branches",
        [BRANCH_HEADER, ["V-9", "九村", "村", "", "", "", ""]],
        (2, "D", "村和居委会必须填写所在镇街。"),
    ),
    "weak mark on an enterprise": (
        "branches",
        [BRANCH_HEADER, ["E-9", "九公司", "企业", "", "", "", "是"]],
        (2, "G", "只有村党组织可以标记为薄弱村。"),
    ),
    "duplicate code in the file": (
        "branches",
        [BRANCH_HEADER, ["V-9", "九村", "村", "T-MZ", "", "", ""],
         ["V-9", "九村重复", "村", "T-MZ", "", "", ""]],
        (3, "A", "与第2行重复，同一记录只能出现一次。"),
    ),
    "name left empty": (
        "branches",
        [BRANCH_HEADER, ["V-9", "", "村", "T-MZ", "", "", ""]],
        (2, "B", "不能为空。"),
    ),
    "date that is not a date": (
        "members",
        [["branch", "name", "joined_on"], ["H-1", "张三", "2024-02-30"]],
        (2, "C", "「2024-02-30」不是有效日期，请按 YYYY-MM-DD 填写，如 2024-03-01。"),
    ),
    "unknown branch code": (
        "members",
        [["branch", "name"], ["NOPE", "张三"]],
        (2, "A", "找不到编码为「NOPE」的党组织。"),
    ),
    "a 5th village": (
        "committees",
        [COMMITTEE_HEADER, ["C-9", "新联合党总支", "R-1", "V-1;V-2;V-3;V-4;V-5", "结对",
                            "2025-01-01"]],
        (2, "D", "一个联合党组织须有2至4个村，现为5个。"),
    ),
    "a village already in another committee": (
        "committees",
        [COMMITTEE_HEADER, ["C-9", "新联合党总支", "R-1", "V-1;H-1", "定对", "2025-01-01"]],
        (2, "D", "「H-1村」已在联合党组织「已有联合党总支」中。"),
    ),
    "a village in another row of the same file": (
        "committees",
        [COMMITTEE_HEADER,
         ["C-8", "甲联合党总支", "R-1", "V-1;V-2", "定对", "2025-01-01"],
         ["C-9", "乙联合党总支", "R-2", "V-2;V-3", "定对", "2025-01-01"]],
        (3, "D", "「V-2村」已由本文件中的联合党组织「C-8 甲联合党总支」使用。"),
    ),
    "an unknown village code": (
        "committees",
        [COMMITTEE_HEADER, ["C-9", "新联合党总支", "R-1", "V-1;V-404；V-405", "定对",
                            "2025-01-01"]],
        (2, "D", "找不到编码为「V-404、V-405」的村党组织。"),
    ),
    "villages of two towns": (
        "committees",
        [COMMITTEE_HEADER, ["C-9", "新联合党总支", "R-1", "V-1;X-1", "定对", "2025-01-01"]],
        (2, "D", "联建村须位于同一镇街。"),
    ),
    "a village as the urban side": (
        "committees",
        [COMMITTEE_HEADER, ["C-9", "新联合党总支", "V-3", "V-1;V-2", "定对", "2025-01-01"]],
        (2, "C", "「V-3村」是村党组织，不能作为联合党组织的城市一方。"),
    ),
    "a formation that is not one": (
        "committees",
        [COMMITTEE_HEADER, ["C-9", "新联合党总支", "R-1", "V-1;V-2", "自愿", "2025-01-01"]],
        (2, "E", "「自愿」不是可选的值，可填：定对、结对（或 assigned、voluntary）。"),
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_row_is_reported_on_its_row_and_column_and_nothing_is_written(
    town, other_town, held, case
) -> None:
    for code in ("V-1", "V-2", "V-3", "V-4", "V-5"):
        VillageFactory(code=code, name=f"{code}村", town=town)
    VillageFactory(code="X-1", name="外镇村", town=other_town)
    ResidentsFactory(code="R-1", town=town)
    ResidentsFactory(code="R-2", town=town)
    kind, rows, expected = BAD_FILES[case]
    # A good row first: it must not be written either.
    good = {
        "branches": ["V-GOOD", "好村", "村", town.code, "", "", ""],
        "members": ["H-1", "好党员"] + [""] * (len(rows[0]) - 2),
        "committees": ["C-GOOD", "好联合党总支", "R-1", "V-4;V-5", "定对", "2025-01-01"],
    }[kind]
    if case not in ("a 5th village", "a village in another row of the same file"):
        rows = [*rows, good]
    counts = {m: m.objects.count() for m in (Branch, Member, JointCommittee, CommitteeVillage)}
    before = history_rows()
    report = run(kind, rows)
    assert expected in problems(report)
    assert not report.written
    assert {m: m.objects.count() for m in counts} == counts
    assert history_rows() == before
    record = ImportRecord.objects.get()
    assert record.status == "rejected" and record.errors == len(report.problems)


def test_every_bad_row_is_listed_not_just_the_first(town) -> None:
    report = run("branches", [
        BRANCH_HEADER,
        ["V-1", "一村", "村", "T-NONE", "", "", ""],
        ["V-2", "二村", "村", town.code, "", "", ""],
        ["V-3", "", "小区", town.code, "", "", "不知道"],
    ])
    assert problems(report) == [
        (2, "D", "找不到编码为「T-NONE」的镇街。"),
        (4, "B", "不能为空。"),
        (4, "C", "「小区」不是可选的值，可填：居委会、企业、部门、村（或 residents、enterprise、"
                 "department、village）。"),
        (4, "G", "「不知道」无法识别，请填写“是”或“否”（yes/no）。"),
    ]
    assert not Branch.objects.exists()


def test_row_numbers_are_the_spreadsheet_rows_even_after_blank_rows(town) -> None:
    report = run("branches", [
        BRANCH_HEADER,
        ["V-1", "一村", "村", town.code, "", "", ""],
        ["", "", "", "", "", "", ""],
        ["V-2", "二村", "村", "T-NONE", "", "", ""],
    ])
    assert problems(report) == [(4, "D", "找不到编码为「T-NONE」的镇街。")]


def test_a_branch_in_a_committee_keeps_its_kind_and_town(held, other_town) -> None:
    report = run("branches", [
        ["code", "name", "kind", "town"],
        ["H-1", "H-1村", "residents", held.town.code],
        ["H-2", "H-2村", "village", other_town.code],
        [held.urban.code, held.urban.name, "village", held.town.code],
    ])
    assert problems(report) == [
        (2, "C", "该村正在联合党组织中，不能更改类型。"),
        (3, "D", "该村正在联合党组织中，不能更改所在镇街。"),
        (4, "C", "该党组织是联合党组织的城市一方，不能改为村。"),
    ]


def test_a_new_committee_is_created_through_the_rules(town) -> None:
    villages = [VillageFactory(code=c, name=f"{c}村", town=town) for c in ("V-1", "V-2", "V-3")]
    ResidentsFactory(code="R-1", town=town)
    report = run("committees", [
        ["编码", "名称", "城市党组织", "联建村", "结对方式", "成立日期"],
        ["C-1", "新联合党总支", "R-1", "V-3；V-1;V-2", "结对", "2025-03-01"],
    ])
    assert report.ok, problems(report)
    committee = JointCommittee.objects.get(code="C-1")
    assert (committee.town, committee.form, committee.formation) == (
        town, "village_residents", "voluntary")
    joined = committee.memberships.order_by("village__code")
    assert [(m.village, m.joined_on) for m in joined] == [
        (v, datetime.date(2025, 3, 1)) for v in villages]


def test_changed_villages_join_and_leave_on_the_import_day_with_history(
    held, town, department_user
) -> None:
    new = VillageFactory(code="H-3", name="H-3村", town=town)
    first, second = (m.village for m in held.memberships.order_by("village__code"))
    today = datetime.date.today()
    report = run("committees", [
        COMMITTEE_HEADER,
        ["C-HELD", "已有联合党总支", held.urban.code, "H-2;H-3", "assigned", "2024-01-01"],
    ], user=department_user, name="调整.xlsx", data=xlsx_bytes([
        COMMITTEE_HEADER,
        ["C-HELD", "已有联合党总支", held.urban.code, "H-2;H-3", "assigned",
         datetime.datetime(2024, 1, 1)],
    ]))
    assert report.ok, problems(report)
    assert report.changes[0].cells == [("联建村", "H-1;H-2", "H-2;H-3")]
    left = held.memberships.get(village=first)
    assert (left.left_on, left.left_reason) == (today, "按导入文件「调整.xlsx」调整")
    assert held.memberships.get(village=new).joined_on == today
    assert held.memberships.get(village=second).left_on is None
    # The committee's own row was not touched: only the memberships have new history.
    assert held.history.count() == 1
    users = set(CommitteeVillage.history.filter(committee_id=held.pk, history_type="~")
                .values_list("history_user", flat=True))
    assert users == {department_user.pk}


def test_a_committee_can_swap_all_four_villages_in_one_import(town) -> None:
    old = [VillageFactory(code=f"O-{i}", town=town) for i in range(4)]
    new = [VillageFactory(code=f"N-{i}", town=town) for i in range(4)]
    committee = _committees_with(town, old)
    report = run("committees", [
        ["code", "villages"], [committee.code, ";".join(v.code for v in new)]])
    assert report.ok, problems(report)
    current = committee.memberships.filter(left_on__isnull=True)
    assert {m.village for m in current} == set(new)


def test_a_dissolved_committee_refuses_changes_but_round_trips(held) -> None:
    from twinning.committees.services import committee_dissolve

    committee_dissolve(committee=held, dissolved_on=datetime.date(2025, 1, 1), reason="调整")
    same = run("committees", [COMMITTEE_HEADER,
                              ["C-HELD", "已有联合党总支", held.urban.code, "", "assigned",
                               "2024-01-01"]])
    assert same.ok and same.unchanged == 1
    renamed = run("committees", [["code", "name"], ["C-HELD", "改名"]])
    assert problems(renamed) == [
        (2, "", "联合党组织「已有联合党总支」已于2025-01-01撤销，不能再修改。")]


def test_importing_writes_history_as_the_importing_user(town, department_user) -> None:
    run("branches", [BRANCH_HEADER, ["V-1", "一村", "村", town.code, "", "", ""]],
        user=department_user)
    assert Branch.objects.get(code="V-1").history.get().history_user == department_user


# Town staff


def test_town_staff_cannot_import_rows_of_another_town(
    town_user, town, other_town, other_committee
) -> None:
    foreign = other_committee.memberships.first().village
    mine = VillageFactory(code="V-MINE", town=town)
    branches = run("branches", [
        BRANCH_HEADER,
        ["V-NEW", "新村", "村", other_town.code, "", "", ""],
        [foreign.code, "改名村", "村", other_town.code, "", "", ""],
        [mine.code, mine.name, "村", other_town.code, "", "", ""],
        ["E-NEW", "新公司", "企业", "", "", "", ""],
    ], user=town_user)
    assert problems(branches) == [(row, "D", "不属于您的镇街。") for row in (2, 3, 4, 5)]
    members = run("members", [["branch", "name"], [foreign.code, "外镇党员"]], user=town_user)
    assert problems(members) == [(2, "A", "不属于您的镇街。")]
    committees = run("committees", [["code", "name"], [other_committee.code, "改名"]],
                     user=town_user)
    assert problems(committees) == [(2, "A", "不属于您的镇街。")]
    assert not Member.objects.filter(name="外镇党员").exists()
    with pytest.raises(PermissionDenied):
        run("towns", [["code", "name", "kind"], ["T-NEW", "新镇", "镇"]], user=town_user)


def test_town_staff_import_their_own_towns_rows(town_user, town) -> None:
    report = run("branches", [BRANCH_HEADER, ["V-1", "一村", "村", town.code, "", "", "是"]],
                 user=town_user)
    assert report.written and Branch.objects.get(code="V-1").town == town


# Checking makes no query per row


def _member_file(count: int, branch: Branch) -> list[list[str]]:
    return [["branch", "name", "role", "joined_on"],
            *([branch.code, f"党员{i}", "党员", "2001-01-01"] for i in range(count))]


def _record_file(kind: str, committees: list[JointCommittee]) -> list[list[str]]:
    if kind == "monthly_updates":
        return [["committee", "period", "meeting_held", "summary", "submitted_on"],
                *([c.code, "2025-03", "是", "召开联席会议一次，走访困难户。", "2025-04-02"]
                  for c in committees)]
    return [["committee", "title", "category", "funder", "investment_yuan", "status",
             "started_on"],
            *([c.code, "大棚", "产业", c.urban.code, "1000", "进行中", "2025-03-01"]
              for c in committees)]


@pytest.mark.parametrize("who", ["command line", "town staff"])
@pytest.mark.parametrize("kind", ["members", "committees", "monthly_updates", "aid_projects"])
def test_checking_a_file_makes_the_same_queries_for_10_rows_as_for_100(
    town, kind, who, request
) -> None:
    from twinning.shared.permissions import scope_of

    user = request.getfixturevalue("town_user") if who == "town staff" else None
    if user is not None:
        scope_of(user)  # the user's reach is read once and kept, as in a request

    def file(count: int) -> list[list[str]]:
        if kind == "members":
            return _member_file(count, VillageFactory(town=town))
        if kind in ("monthly_updates", "aid_projects"):
            return _record_file(kind, [make_committee(town=town) for _ in range(count)])
        ResidentsFactory(code="R-Q", town=town)
        villages = VillageFactory.create_batch(2 * count, town=town)
        return [COMMITTEE_HEADER, *(
            [f"Q-{len(villages)}-{i}", f"联合{i}", "R-Q",
             f"{villages[2 * i].code};{villages[2 * i + 1].code}", "定对", "2025-01-01"]
            for i in range(count))]

    from django.db import connection

    counts = []
    for count in (10, 100):
        rows = file(count)
        with CaptureQueriesContext(connection) as queries:
            report = run(kind, rows, dry_run=True, user=user)
        assert report.ok and report.created == count, problems(report)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_every_kind_is_registered_with_its_resource() -> None:
    assert list(KINDS) == ["towns", "branches", "members", "committees", "monthly_updates",
                           "aid_projects"]
    for kind in KINDS.values():
        assert kind.resource_class._meta.import_id_fields
        assert {c.column_name for c in kind.resource_class.columns()} >= set(
            kind.resource_class._meta.import_id_fields)


def test_towns_are_imported_by_key_or_label(db) -> None:
    report = run("towns", [["Code", "名 称", "类型"], ["T-1", "一镇", "town"],
                           ["T-2", "二街道", "街道"]])
    assert report.ok, problems(report)
    assert dict(Town.objects.values_list("code", "kind")) == {"T-1": "town", "T-2": "subdistrict"}


def test_a_refusal_while_writing_undoes_every_row(town, monkeypatch) -> None:
    from django.core.exceptions import ValidationError

    from branches import services

    real = services.member_bulk_save

    def write_then_refuse(**kwargs):
        real(**kwargs)
        raise ValidationError("数据已被他人修改。")

    monkeypatch.setattr(services, "member_bulk_save", write_then_refuse)
    VillageFactory(code="V-1", town=town)
    report = run("members", _member_file(3, Branch.objects.get(code="V-1")))
    assert problems(report) == [(None, "", "写入时被拒绝（已全部撤销）：数据已被他人修改。")]
    assert not report.written and not Member.objects.exists()
    assert ImportRecord.objects.get().status == "rejected"


def test_town_staff_round_trip_rows_they_see_but_may_not_change(
    client, town_user, committee
) -> None:
    from tests.factories import DepartmentFactory, JointCommitteeFactory

    # A city department leading a committee in the town: visible to town staff, not theirs.
    department = DepartmentFactory(code="D-CITY")
    JointCommitteeFactory(town=committee.town, urban=department, code="C-D")
    client.force_login(town_user)
    content = client.get("/exchange/export/branches.csv").content
    assert b"D-CITY" in content
    report = import_file("branches", "b.csv", content, user=town_user, dry_run=True)
    assert report.ok and report.unchanged == report.rows


# The bulk services the imports write through


def test_bulk_committee_creation_checks_every_rule_before_writing(town, acting_as,
                                                                  department_user) -> None:
    from twinning.committees.services import CommitteePlan, committee_bulk_create

    villages = [VillageFactory(town=town) for _ in range(4)]
    urban = ResidentsFactory(town=town)

    def plan(code, chosen):
        return CommitteePlan(code, f"{code}联合党总支", urban, chosen, "assigned",
                             datetime.date(2025, 1, 1))

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="「B-2」：.*已在联合党组织「B-1联合党总支」中"):
        committee_bulk_create(plans=[plan("B-1", villages[:2]), plan("B-2", villages[1:3])])
    assert not JointCommittee.objects.exists()
    with acting_as(department_user):
        created = committee_bulk_create(plans=[plan("B-1", villages[:2]),
                                               plan("B-2", villages[2:])])
    assert [c.code for c in created] == ["B-1", "B-2"]
    assert CommitteeVillage.history.filter(history_user=department_user).count() == 4
    with pytest.raises(ValidationError) as refused:
        committee_bulk_create(plans=[plan("B-1", [VillageFactory(town=town),
                                                  VillageFactory(town=town)])])
    assert refused.value.message_dict == {"code": ["编码已被其他联合党组织使用。"]}


def test_bulk_branch_and_member_saves_keep_the_rules(held, acting_as, department_user) -> None:
    from django.core.exceptions import ValidationError

    from branches.services import branch_bulk_save, member_bulk_save

    village = held.memberships.first().village
    village.kind = Branch.Kind.RESIDENTS
    with pytest.raises(ValidationError, match="「H-1」：该村正在联合党组织中，不能更改类型。"):
        branch_bulk_save(branches=[village])
    with pytest.raises(ValidationError, match="「张三三」"):
        member_bulk_save(members=[Member(branch=village, name="张三三", role="boss")])
    with acting_as(department_user):
        member_bulk_save(members=[Member(branch=village, name="张三三", role="member")])
    assert Member.objects.get().history.get().history_user == department_user
