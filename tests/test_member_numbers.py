"""Members who share a name: the member number (党员编号) is their key (DESIGN §5)."""

import pytest
from django.core.exceptions import ValidationError

from branches import services
from branches.models import Member
from tests.exchange_helpers import csv_bytes, history_rows, problems, read_csv
from tests.factories import MemberFactory, VillageFactory
from twinning.shared.exchange import export_file, import_file

pytestmark = pytest.mark.django_db

HEADER = ["branch", "number", "name", "role", "joined_on", "phone"]


def run(rows, *, dry_run=False):
    return import_file("members", "members.csv", csv_bytes(rows), user=None, dry_run=dry_run)


def _register_with_namesakes(town) -> list[list[str]]:
    """A members file built from factories (never saved): two branches, each with a pair of
    members who share a name, told apart by their numbers, among other members."""
    first, second = VillageFactory(code="V-1", town=town), VillageFactory(code="V-2", town=town)
    members = [
        MemberFactory.build(branch=first, number="370782001", name="王芳", role="member"),
        MemberFactory.build(branch=first, number="370782002", name="李明", role="secretary"),
        MemberFactory.build(branch=first, number="370782003", name="王芳", role="committee"),
        MemberFactory.build(branch=second, number="370782004", name="张伟", role="member"),
        MemberFactory.build(branch=second, number="370782005", name="张伟", role="member",
                            joined_on=None, phone=""),
        MemberFactory.build(branch=second, number="", name="赵敏", role="deputy"),
    ]
    return [HEADER] + [
        [m.branch.code, m.number, m.name, m.role,
         m.joined_on.isoformat() if m.joined_on else "", m.phone]
        for m in members
    ]


def test_a_members_file_with_namesakes_imports_whole_and_again_changes_nothing(town) -> None:
    rows = _register_with_namesakes(town)
    report = run(rows)
    assert report.ok, problems(report)
    assert (report.created, report.changed, report.unchanged) == (6, 0, 0)
    assert list(Member.objects.filter(name="王芳").order_by("number").values_list(
        "number", "role")) == [("370782001", "member"), ("370782003", "committee")]
    assert Member.objects.get(name="赵敏").number is None
    before = history_rows()
    again = run(rows)
    assert again.ok, problems(again)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 6)
    assert history_rows() == before


def test_the_export_of_namesakes_imports_back_unchanged(town) -> None:
    run(_register_with_namesakes(town))
    exported = read_csv(export_file("members", Member.objects.all(), "csv", labels=False))
    assert exported[0] == HEADER
    again = import_file("members", "back.csv", csv_bytes(exported), user=None, dry_run=False)
    assert again.ok, problems(again)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 6)


def test_a_namesake_row_without_its_number_is_refused_and_told_why(town) -> None:
    VillageFactory(code="V-1", town=town)
    report = run([
        HEADER,
        ["V-1", "", "王芳", "member", "", ""],
        ["V-1", "370782009", "王芳", "member", "", ""],
    ])
    assert problems(report) == [
        (2, "C", "本党组织有多名党员叫「王芳」（第2、3行），须填写党员编号（number）以区分。"),
    ]
    assert not Member.objects.exists()


def test_a_row_without_a_number_cannot_choose_between_stored_namesakes(town) -> None:
    village = VillageFactory(code="V-1", town=town)
    MemberFactory(branch=village, name="王芳", number="A1")
    MemberFactory(branch=village, name="王芳", number="A2")
    report = run([HEADER, ["V-1", "", "王芳", "deputy", "", ""]])
    assert problems(report) == [
        (2, "C", "本党组织已有2名党员叫「王芳」，须填写党员编号（number）以区分。"),
    ]


def test_rows_are_matched_by_number_first_then_by_a_name_unique_in_the_branch(town) -> None:
    village = VillageFactory(code="V-1", town=town)
    numbered = MemberFactory(branch=village, name="王芳", number="A1", role="member")
    unnumbered = MemberFactory(branch=village, name="李明", number=None, role="member")
    report = run([
        HEADER[:4],
        ["V-1", "A1", "王芳", "committee"],  # by number
        ["V-1", "B7", "李明", "deputy"],  # the one 李明 without a number gets it
        ["V-1", "", "王芳", "committee"],  # no number: the name is unique in the branch ...
    ])
    # ... but the file names 王芳 twice, so the third row must carry the number.
    assert [p[:2] for p in problems(report)] == [(4, "C")]
    report = run([HEADER[:4], ["V-1", "A1", "王芳", "committee"], ["V-1", "B7", "李明", "deputy"]])
    assert report.ok and (report.created, report.changed) == (0, 2), problems(report)
    numbered.refresh_from_db()
    unnumbered.refresh_from_db()
    assert (numbered.role, unnumbered.number, unnumbered.role) == ("committee", "B7", "deputy")
    # A blank number never clears a stored one: the row is matched by its unique name.
    report = run([HEADER[:4], ["V-1", "", "李明", "deputy"]])
    assert report.ok and report.unchanged == 1
    unnumbered.refresh_from_db()
    assert unnumbered.number == "B7"


def test_a_number_appears_once_in_a_file(town) -> None:
    VillageFactory(code="V-1", town=town)
    report = run([
        HEADER[:3],
        ["V-1", "A1", "王芳"],
        ["V-1", "A1", "李明"],
    ])
    assert problems(report) == [(3, "B", "与第2行重复，同一记录只能出现一次。")]


def test_two_namesakes_may_be_held_in_one_branch_when_numbered() -> None:
    first = MemberFactory(name="王芳", number="A1")
    services.member_save(branch=first.branch, name="王芳", number="A2", role="member")
    assert first.branch.members.filter(name="王芳").count() == 2


@pytest.mark.parametrize("number", [None, "A1"])
def test_a_second_namesake_without_a_number_is_refused_with_the_reason(number) -> None:
    first = MemberFactory(name="王芳", number=number)
    with pytest.raises(ValidationError) as exc:
        services.member_save(branch=first.branch, name="王芳", role="member")
    assert exc.value.message_dict == {
        "number": ["本党组织已有党员叫「王芳」，请填写党员编号以区分。"]}


def test_a_member_number_is_unique_in_the_city() -> None:
    MemberFactory(number="A1")
    with pytest.raises(ValidationError) as exc:
        services.member_save(branch=VillageFactory(), name="李明", number="A1", role="member")
    assert list(exc.value.message_dict) == ["number"]


def test_a_blank_number_is_stored_as_none_so_many_members_may_lack_one() -> None:
    first = services.member_save(branch=VillageFactory(), name="甲", number="", role="member")
    second = services.member_save(branch=first.branch, name="乙", number="  ", role="member")
    assert (first.number, second.number) == (None, None)
