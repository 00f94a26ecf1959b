"""The rules on a committee's shape (twinning/services.py) and the models' constraints."""

import datetime
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from branches.models import Branch, Member, Town
from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    JointCommitteeFactory,
    MemberFactory,
    ResidentsFactory,
    VillageFactory,
    make_committee,
)
from twinning.committees.models import CommitteeVillage, JointCommittee
from twinning.committees.services import (
    committee_add_village,
    committee_create,
    committee_dissolve,
    committee_remove_village,
    committee_update,
)

pytestmark = pytest.mark.django_db

D = datetime.date
ActingAs = Callable[[User], AbstractContextManager[None]]


def _create(home: Town, villages: list[Branch], /, **kwargs: object) -> JointCommittee:
    """Create through the service with a new residents' committee of `home` as urban side."""
    values: dict = {
        "code": "JC-NEW",
        "name": "新联合党总支",
        "urban": ResidentsFactory(town=home),
        "formation": JointCommittee.Formation.VOLUNTARY,
        "established_on": D(2024, 3, 1),
    }
    values.update(kwargs)
    return committee_create(villages=villages, **values)


def _active_codes(committee: JointCommittee) -> list[str]:
    return sorted(
        committee.memberships.filter(left_on__isnull=True).values_list("village__code", flat=True)
    )


def _update(committee: JointCommittee, **kwargs: object) -> JointCommittee:
    values: dict = {
        "name": committee.name,
        "urban": committee.urban,
        "formation": committee.formation,
        "established_on": committee.established_on,
    }
    values.update(kwargs)
    return committee_update(committee=committee, **values)


# Creating a committee


def test_create_records_urban_villages_form_and_town(town: Town) -> None:
    villages = VillageFactory.create_batch(3, town=town)
    committee = _create(town, villages, town=None)

    assert committee.town == town
    assert committee.form == JointCommittee.Form.VILLAGE_RESIDENTS
    assert committee.is_active
    assert _active_codes(committee) == sorted(v.code for v in villages)
    assert set(committee.memberships.values_list("joined_on", flat=True)) == {D(2024, 3, 1)}


def test_a_village_cannot_be_the_urban_side(town: Town) -> None:
    village = VillageFactory(town=town, name="北朱解村")
    with pytest.raises(ValidationError) as exc:
        _create(town, VillageFactory.create_batch(2, town=town), urban=village)
    assert exc.value.message_dict == {
        "urban": ["「北朱解村」是村党组织，不能作为联合党组织的城市一方。"]
    }
    assert not JointCommittee.objects.exists()


@pytest.mark.parametrize("count", [2, 3, 4])
def test_two_to_four_villages_are_accepted(town: Town, count: int) -> None:
    committee = _create(town, VillageFactory.create_batch(count, town=town))
    assert len(_active_codes(committee)) == count


@pytest.mark.parametrize("count", [1, 5])
def test_one_or_five_villages_are_rejected(town: Town, count: int) -> None:
    with pytest.raises(ValidationError) as exc:
        _create(town, VillageFactory.create_batch(count, town=town))
    assert exc.value.message_dict == {"villages": [f"一个联合党组织须有2至4个村，现为{count}个。"]}
    assert not JointCommittee.objects.exists()
    assert not CommitteeVillage.objects.exists()


def test_no_villages_is_rejected(town: Town) -> None:
    with pytest.raises(ValidationError):
        _create(town, [])
    with pytest.raises(ValidationError) as exc:
        _create(town, [], town=town)
    assert exc.value.message_dict == {"villages": ["一个联合党组织须有2至4个村，现为0个。"]}


def test_an_urban_branch_cannot_be_listed_as_a_village(town: Town) -> None:
    residents = ResidentsFactory(town=town, name="杨春居委会")
    villages = [*VillageFactory.create_batch(2, town=town), residents]
    with pytest.raises(ValidationError) as exc:
        _create(town, villages)
    assert exc.value.message_dict == {"villages": ["「杨春居委会」不是村党组织。"]}


def test_the_same_village_twice_is_rejected(town: Town) -> None:
    a, b = VillageFactory.create_batch(2, town=town)
    with pytest.raises(ValidationError) as exc:
        _create(town, [a, a, b])
    assert exc.value.message_dict == {"villages": ["同一个村不能重复加入。"]}


def test_villages_must_lie_in_the_committees_town(town: Town, other_town: Town) -> None:
    here = VillageFactory(town=town)
    there = VillageFactory(town=other_town, name="都吉台村")
    with pytest.raises(ValidationError) as exc:
        _create(town, [here, there], town=town)
    assert exc.value.message_dict == {
        "villages": ["「都吉台村」不在属地镇街「测试密州街道」，联建村须位于同一镇街。"]
    }


def test_villages_from_two_towns_have_no_town_to_belong_to(town: Town, other_town: Town) -> None:
    villages = [VillageFactory(town=town), VillageFactory(town=other_town)]
    with pytest.raises(ValidationError) as exc:
        _create(town, villages, town=None)
    assert exc.value.message_dict == {"villages": ["联建村须位于同一镇街。"]}


def test_a_village_in_another_active_committee_is_rejected(
    town: Town, committee: JointCommittee
) -> None:
    taken = committee.memberships.first().village
    with pytest.raises(ValidationError) as exc:
        _create(town, [taken, VillageFactory(town=town)])
    assert exc.value.message_dict == {
        "villages": [f"「{taken.name}」已在联合党组织「测试后黄疃联合党总支」中。"]
    }


def test_every_broken_rule_is_reported_at_once(town: Town, other_town: Town) -> None:
    elsewhere = VillageFactory(town=other_town, name="徐家村")
    factory = EnterpriseFactory(name="益欣食品有限公司")
    with pytest.raises(ValidationError) as exc:
        _create(town, [elsewhere, factory], town=town)
    assert exc.value.message_dict == {
        "villages": [
            "「益欣食品有限公司」不是村党组织。",
            "「徐家村、益欣食品有限公司」不在属地镇街「测试密州街道」，联建村须位于同一镇街。",
        ]
    }


def test_a_duplicate_committee_code_is_rejected(town: Town, committee: JointCommittee) -> None:
    with pytest.raises(ValidationError) as exc:
        _create(town, VillageFactory.create_batch(2, town=town), code=committee.code)
    assert list(exc.value.message_dict) == ["code"]


# The form follows the urban side


@pytest.mark.parametrize(
    ("kind", "form"),
    [
        (Branch.Kind.RESIDENTS, JointCommittee.Form.VILLAGE_RESIDENTS),
        (Branch.Kind.ENTERPRISE, JointCommittee.Form.VILLAGE_ENTERPRISE),
        (Branch.Kind.DEPARTMENT, JointCommittee.Form.DEPARTMENT_VILLAGE),
    ],
)
def test_the_form_follows_the_urban_branch_kind(town: Town, kind: str, form: str) -> None:
    committee = make_committee(town=town, urban_kind=kind)
    assert committee.form == form
    committee.refresh_from_db()
    assert committee.form == form


def test_replacing_the_urban_branch_changes_the_form(committee: JointCommittee) -> None:
    assert committee.form == JointCommittee.Form.VILLAGE_RESIDENTS

    _update(committee, urban=DepartmentFactory(name="市农业局"))
    committee.refresh_from_db()
    assert committee.form == JointCommittee.Form.DEPARTMENT_VILLAGE
    assert committee.urban.name == "市农业局"

    _update(committee, urban=EnterpriseFactory())
    committee.refresh_from_db()
    assert committee.form == JointCommittee.Form.VILLAGE_ENTERPRISE


def test_update_rejects_a_village_as_urban_side(committee: JointCommittee) -> None:
    village = VillageFactory(town=committee.town, name="小庄家河岔")
    with pytest.raises(ValidationError) as exc:
        _update(committee, urban=village)
    assert exc.value.message_dict == {
        "urban": ["「小庄家河岔」是村党组织，不能作为联合党组织的城市一方。"]
    }
    committee.refresh_from_db()
    assert committee.urban.kind == Branch.Kind.RESIDENTS


def test_update_changes_name_and_formation(committee: JointCommittee) -> None:
    _update(committee, name="改名联合党总支", formation=JointCommittee.Formation.VOLUNTARY)
    committee.refresh_from_db()
    assert committee.name == "改名联合党总支"
    assert committee.formation == JointCommittee.Formation.VOLUNTARY


# Villages joining and leaving


def test_a_village_joins(committee: JointCommittee) -> None:
    village = VillageFactory(town=committee.town)
    membership = committee_add_village(
        committee=committee, village=village, joined_on=D(2025, 1, 1)
    )
    assert membership.is_active
    assert village.code in _active_codes(committee)


def test_a_fifth_village_is_rejected(town: Town) -> None:
    committee = make_committee(town=town, villages=4)
    with pytest.raises(ValidationError) as exc:
        committee_add_village(
            committee=committee, village=VillageFactory(town=town), joined_on=D(2025, 1, 1)
        )
    assert exc.value.message_dict == {"villages": ["一个联合党组织须有2至4个村，现为5个。"]}
    assert len(_active_codes(committee)) == 4


def test_a_village_already_in_the_committee_cannot_join_again(committee: JointCommittee) -> None:
    village = committee.memberships.first().village
    with pytest.raises(ValidationError) as exc:
        committee_add_village(committee=committee, village=village, joined_on=D(2025, 1, 1))
    assert exc.value.message_dict == {"villages": ["同一个村不能重复加入。"]}


def test_a_village_of_another_town_cannot_join(committee: JointCommittee, other_town: Town) -> None:
    village = VillageFactory(town=other_town, name="石桥子村")
    with pytest.raises(ValidationError) as exc:
        committee_add_village(committee=committee, village=village, joined_on=D(2025, 1, 1))
    assert exc.value.message_dict == {
        "villages": ["「石桥子村」不在属地镇街「测试密州街道」，联建村须位于同一镇街。"]
    }


def test_a_village_taken_elsewhere_joins_once_it_has_left(
    committee: JointCommittee, second_committee: JointCommittee
) -> None:
    village = VillageFactory(town=committee.town, name="前姜庄")
    committee_add_village(committee=committee, village=village, joined_on=D(2024, 6, 1))

    with pytest.raises(ValidationError) as exc:
        committee_add_village(committee=second_committee, village=village, joined_on=D(2025, 1, 1))
    assert exc.value.message_dict == {
        "villages": ["「前姜庄」已在联合党组织「测试后黄疃联合党总支」中。"]
    }

    committee_remove_village(
        committee=committee, village=village, left_on=D(2024, 12, 31), reason="调整"
    )
    committee_add_village(committee=second_committee, village=village, joined_on=D(2025, 1, 1))

    assert village.code in _active_codes(second_committee)
    assert village.code not in _active_codes(committee)
    rows = CommitteeVillage.objects.filter(village=village).order_by("joined_on")
    assert [(r.committee.code, r.joined_on, r.left_on) for r in rows] == [
        ("JC-MZ-1", D(2024, 6, 1), D(2024, 12, 31)),
        ("JC-MZ-2", D(2025, 1, 1), None),
    ]


def test_a_village_cannot_join_before_the_committee_was_established(
    committee: JointCommittee,
) -> None:
    with pytest.raises(ValidationError) as exc:
        committee_add_village(
            committee=committee,
            village=VillageFactory(town=committee.town),
            joined_on=D(2023, 12, 31),
        )
    assert exc.value.message_dict == {"joined_on": ["加入日期不能早于联合党组织成立日期。"]}


def test_a_village_leaves_and_its_history_row_stays(town: Town) -> None:
    committee = make_committee(town=town, villages=3)
    village = committee.memberships.first().village

    committee_remove_village(
        committee=committee, village=village, left_on=D(2025, 5, 31), reason="区划调整"
    )

    row = CommitteeVillage.objects.get(committee=committee, village=village)
    assert (row.left_on, row.left_reason, row.is_active) == (D(2025, 5, 31), "区划调整", False)
    assert len(_active_codes(committee)) == 2


def test_removing_a_village_that_would_leave_one_is_rejected(committee: JointCommittee) -> None:
    village = committee.memberships.first().village
    with pytest.raises(ValidationError) as exc:
        committee_remove_village(
            committee=committee, village=village, left_on=D(2025, 1, 1), reason=""
        )
    assert exc.value.messages == [
        "退出后只剩1个村，一个联合党组织至少须有2个村；请先加入新的村，或撤销该联合党组织。"
    ]
    assert len(_active_codes(committee)) == 2


def test_removing_a_village_not_in_the_committee_is_rejected(committee: JointCommittee) -> None:
    village = VillageFactory(town=committee.town, name="管家庄")
    with pytest.raises(ValidationError) as exc:
        committee_remove_village(
            committee=committee, village=village, left_on=D(2025, 1, 1), reason=""
        )
    assert exc.value.messages == ["「管家庄」不在联合党组织「测试后黄疃联合党总支」中。"]


def test_leaving_before_joining_is_rejected(town: Town) -> None:
    committee = make_committee(town=town, villages=3)
    village = committee.memberships.first().village
    with pytest.raises(ValidationError) as exc:
        committee_remove_village(
            committee=committee, village=village, left_on=D(2023, 12, 31), reason=""
        )
    assert exc.value.message_dict == {"left_on": ["退出日期不能早于加入日期。"]}
    assert len(_active_codes(committee)) == 3


# Dissolving


def test_dissolving_frees_the_villages_and_keeps_history(
    town: Town, committee: JointCommittee
) -> None:
    villages = [m.village for m in committee.memberships.all()]

    committee_dissolve(committee=committee, dissolved_on=D(2025, 6, 30), reason="")

    committee.refresh_from_db()
    assert committee.dissolved_on == D(2025, 6, 30)
    assert not committee.is_active
    rows = list(committee.memberships.all())
    assert len(rows) == 2
    assert {(r.left_on, r.left_reason) for r in rows} == {(D(2025, 6, 30), "联合党组织撤销")}

    again = _create(town, villages, code="JC-NEXT", established_on=D(2025, 7, 1))
    assert _active_codes(again) == sorted(v.code for v in villages)


def test_dissolving_keeps_the_given_reason(committee: JointCommittee) -> None:
    committee_dissolve(committee=committee, dissolved_on=D(2025, 6, 30), reason="完成帮扶")
    assert set(committee.memberships.values_list("left_reason", flat=True)) == {"完成帮扶"}


def test_dissolving_before_establishment_is_rejected(committee: JointCommittee) -> None:
    with pytest.raises(ValidationError) as exc:
        committee_dissolve(committee=committee, dissolved_on=D(2023, 1, 1), reason="")
    assert exc.value.message_dict == {"dissolved_on": ["撤销日期不能早于成立日期。"]}
    committee.refresh_from_db()
    assert committee.is_active


def test_a_dissolved_committee_cannot_be_changed(committee: JointCommittee) -> None:
    committee_dissolve(committee=committee, dissolved_on=D(2025, 6, 30), reason="")
    committee.refresh_from_db()
    message = ["联合党组织「测试后黄疃联合党总支」已于2025-06-30撤销，不能再修改。"]
    village = committee.memberships.first().village

    attempts = [
        lambda: _update(committee, name="新名称"),
        lambda: committee_add_village(
            committee=committee,
            village=VillageFactory(town=committee.town),
            joined_on=D(2025, 7, 1),
        ),
        lambda: committee_remove_village(
            committee=committee, village=village, left_on=D(2025, 7, 1), reason=""
        ),
        lambda: committee_dissolve(committee=committee, dissolved_on=D(2025, 7, 1), reason=""),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert exc.value.messages == message

    committee.refresh_from_db()
    assert committee.name == "测试后黄疃联合党总支"
    assert committee.dissolved_on == D(2025, 6, 30)


# Constraints held by the database itself


def test_one_active_committee_per_village_holds_in_the_database(
    committee: JointCommittee, other_committee: JointCommittee
) -> None:
    village = committee.memberships.first().village
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeVillage.objects.create(
            committee=other_committee, village=village, joined_on=D(2025, 1, 1)
        )


def test_a_village_may_have_many_past_rows_and_one_active(committee: JointCommittee) -> None:
    village = VillageFactory(town=committee.town)
    for year in (2020, 2021):
        CommitteeVillage.objects.create(
            committee=committee,
            village=village,
            joined_on=D(year, 1, 1),
            left_on=D(year, 12, 31),
        )
    CommitteeVillage.objects.create(committee=committee, village=village, joined_on=D(2024, 1, 1))
    assert CommitteeVillage.objects.filter(village=village).count() == 3


def test_the_active_village_constraint_has_a_message(
    committee: JointCommittee, other_committee: JointCommittee
) -> None:
    row = CommitteeVillage(
        committee=other_committee,
        village=committee.memberships.first().village,
        joined_on=D(2025, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        row.full_clean()
    assert exc.value.messages == ["该村已在另一个联合党组织中。"]


def test_leaving_before_joining_is_refused_by_the_database(committee: JointCommittee) -> None:
    row = committee.memberships.first()
    row.left_on = D(2020, 1, 1)
    with pytest.raises(ValidationError) as exc:
        row.full_clean()
    assert exc.value.messages == ["退出日期不能早于加入日期。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_dissolving_before_establishment_is_refused_by_the_database(
    committee: JointCommittee,
) -> None:
    committee.dissolved_on = D(2020, 1, 1)
    with pytest.raises(ValidationError) as exc:
        committee.full_clean()
    assert exc.value.messages == ["撤销日期不能早于成立日期。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        committee.save()


def test_only_villages_may_be_weak(town: Town) -> None:
    branch = Branch(
        code="R1", name="后黄疃居委会", kind=Branch.Kind.RESIDENTS, town=town, weak=True
    )
    with pytest.raises(ValidationError) as exc:
        branch.full_clean()
    assert exc.value.messages == ["只有村党组织可以标记为薄弱村。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        branch.save()

    village = Branch(code="V1", name="转头山村", kind=Branch.Kind.VILLAGE, town=town, weak=True)
    village.full_clean()


@pytest.mark.parametrize("kind", [Branch.Kind.VILLAGE, Branch.Kind.RESIDENTS])
def test_villages_and_residents_need_a_town(kind: str) -> None:
    branch = Branch(code="X1", name="无镇街", kind=kind, town=None)
    with pytest.raises(ValidationError) as exc:
        branch.full_clean()
    assert exc.value.messages == ["村和居委会必须填写所在镇街。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        branch.save()


@pytest.mark.parametrize("kind", [Branch.Kind.ENTERPRISE, Branch.Kind.DEPARTMENT])
def test_enterprises_and_departments_may_stand_outside_any_town(kind: str) -> None:
    branch = Branch(code="C1", name="市烟草公司", kind=kind, town=None)
    branch.full_clean()
    branch.save()
    assert Branch.objects.get(code="C1").town is None


def test_member_names_without_numbers_are_unique_within_a_branch() -> None:
    member = MemberFactory(name="张三")
    duplicate = Member(branch=member.branch, name="张三", role=Member.Role.MEMBER)
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert exc.value.messages == ["同一党组织内已有同名党员，请填写党员编号以区分。"]
    MemberFactory(name="张三")  # the same name in another branch is fine
    duplicate.number = "370782001"  # a namesake told apart by their number is fine too
    duplicate.full_clean()


# The audit trail


def test_every_change_writes_history_with_the_user(
    town: Town, department_user: User, acting_as: ActingAs
) -> None:
    extra = VillageFactory(town=town)
    with acting_as(department_user):
        committee = _create(town, VillageFactory.create_batch(2, town=town))
        _update(committee, name="改名联合党总支")
        committee_add_village(committee=committee, village=extra, joined_on=D(2024, 6, 1))
        committee_remove_village(
            committee=committee, village=extra, left_on=D(2024, 12, 31), reason="调整"
        )
        committee_dissolve(committee=committee, dissolved_on=D(2025, 6, 30), reason="")

    committee_history = list(committee.history.order_by("history_id"))
    assert [(h.history_type, h.name, h.dissolved_on) for h in committee_history] == [
        ("+", "新联合党总支", None),
        ("~", "改名联合党总支", None),
        ("~", "改名联合党总支", D(2025, 6, 30)),
    ]
    village_history = CommitteeVillage.history.filter(committee_id=committee.pk)
    # Two founding rows, the extra village's join and leave, and two rows closed on dissolving.
    assert village_history.count() == 6
    assert CommitteeVillage.history.filter(village_id=extra.pk).count() == 2
    users = {h.history_user for h in [*committee_history, *village_history]}
    assert users == {department_user}


def test_history_without_a_user_records_none(committee: JointCommittee) -> None:
    _update(committee, name="系统改名")
    latest = committee.history.latest()
    assert latest.name == "系统改名"
    assert latest.history_user is None


def test_each_founding_village_gets_a_history_row(
    town: Town, town_user: User, acting_as: ActingAs
) -> None:
    with acting_as(town_user):
        committee = JointCommitteeFactory(town=town, villages=3)
    for membership in committee.memberships.all():
        rows = list(membership.history.all())
        assert len(rows) == 1
        assert rows[0].history_type == "+"
        assert rows[0].history_user == town_user
        assert rows[0].left_on is None


def test_established_date_cannot_move_after_the_villages_joined(committee) -> None:
    import datetime

    from django.core.exceptions import ValidationError

    from twinning.committees.services import committee_update

    later = committee.memberships.first().joined_on + datetime.timedelta(days=30)
    with pytest.raises(ValidationError, match="成立日期不能晚于最早加入的村的加入日期"):
        committee_update(committee=committee, name=committee.name, urban=committee.urban,
                         formation=committee.formation, established_on=later)


def test_dissolving_before_a_village_joined_is_refused(committee) -> None:
    import datetime

    from django.core.exceptions import ValidationError

    from tests.factories import VillageFactory
    from twinning.committees.services import committee_add_village, committee_dissolve

    newcomer = VillageFactory(town=committee.town)
    committee_add_village(committee=committee, village=newcomer,
                          joined_on=datetime.date(2025, 6, 1))
    with pytest.raises(ValidationError, match="撤销日期早于"):
        committee_dissolve(committee=committee, dissolved_on=datetime.date(2025, 1, 1),
                           reason="调整")
    assert committee.memberships.filter(left_on__isnull=True).count() == 3


def test_a_user_needs_a_username(db) -> None:
    from django.core.exceptions import ValidationError

    from twinning.site.accounts import user_create

    with pytest.raises(ValidationError, match="用户名不能为空"):
        user_create(username="", role="leader", password="Strong-pass-2026")
