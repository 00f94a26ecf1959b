"""`manage.py add_user`: each role gets its reach; bad input creates nothing and says why."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from branches.models import Branch, Town
from tests.factories import MemberFactory
from twinning.committees.models import (
    CommitteeUserObjectPermission,
    JointCommittee,
    TownUserObjectPermission,
)
from twinning.shared.models import Profile
from twinning.shared.permissions import can, visible

pytestmark = pytest.mark.django_db

PASSWORD = "Strong-pass-2026"


def add_user(*args: str) -> str:
    out = StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


def _committee_codes(user: User) -> list[str]:
    return sorted(visible(user, JointCommittee.objects.all()).values_list("code", flat=True))


def _counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        Profile.objects.count(),
        TownUserObjectPermission.objects.count(),
        CommitteeUserObjectPermission.objects.count(),
    )


@pytest.fixture
def everything(
    committee: JointCommittee, second_committee: JointCommittee, other_committee: JointCommittee
) -> list[JointCommittee]:
    return [committee, second_committee, other_committee]


def test_department_user_reaches_everything(everything: list[JointCommittee]) -> None:
    out = add_user("dept", "--role", "department", "--password", PASSWORD)

    assert "已创建用户 dept（组织部）" in out
    user = User.objects.get(username="dept")
    assert user.profile.role == "department"
    assert user.is_staff and not user.is_superuser
    assert user.check_password(PASSWORD)
    assert _committee_codes(user) == ["JC-LD-1", "JC-MZ-1", "JC-MZ-2"]
    assert all(can(user, "change", c) for c in everything)
    assert can(user, "publish")
    assert user.has_perm("twinning.change_jointcommittee")


def test_town_user_reaches_the_committees_of_their_town(
    town: Town, other_town: Town, everything: list[JointCommittee]
) -> None:
    committee, second, other = everything
    out = add_user("town", "--role", "town", "--town", town.code, "--password", PASSWORD)

    assert "已创建用户 town（镇街党(工)委），所属镇街：测试密州街道" in out
    user = User.objects.get(username="town")
    assert user.profile.role == "town"
    assert not user.is_staff
    assert _committee_codes(user) == ["JC-MZ-1", "JC-MZ-2"]
    assert can(user, "change", committee) and can(user, "change", second)
    assert not can(user, "view", other)
    assert not can(user, "change", other)
    assert not can(user, "publish")
    assert can(user, "change", town) and not can(user, "change", other_town)


def test_secretary_manages_only_their_committee(everything: list[JointCommittee]) -> None:
    committee, second, other = everything
    out = add_user(
        "sec", "--role", "secretary", "--committee", committee.code, "--password", PASSWORD
    )

    assert "已创建用户 sec（联合党组织书记），联合党组织：测试后黄疃联合党总支" in out
    user = User.objects.get(username="sec")
    assert _committee_codes(user) == ["JC-MZ-1"]
    assert can(user, "manage", committee)
    assert not can(user, "change", committee)
    assert not can(user, "inspect", committee)
    assert not can(user, "manage", second) and not can(user, "view", other)
    member = MemberFactory(branch=committee.memberships.first().village)
    assert can(user, "view_members", committee)
    assert visible(user, type(member).objects.all()).filter(pk=member.pk).exists()


def test_inspector_reaches_the_committees_given(everything: list[JointCommittee]) -> None:
    committee, second, other = everything
    out = add_user(
        "insp",
        "--role",
        "inspector",
        "--committee",
        committee.code,
        "--committee",
        other.code,
        "--password",
        PASSWORD,
    )

    assert "已创建用户 insp（督查组），联合党组织：测试后黄疃联合党总支、测试高家屯联合党总支" in (
        out
    )
    user = User.objects.get(username="insp")
    assert _committee_codes(user) == ["JC-LD-1", "JC-MZ-1"]
    assert can(user, "inspect", committee) and can(user, "inspect", other)
    assert not can(user, "manage", committee)
    assert not can(user, "view", second)
    assert not can(user, "view_members", committee)


def test_leader_reads_bulletins_and_changes_nothing(everything: list[JointCommittee]) -> None:
    out = add_user("boss", "--role", "leader", "--password", PASSWORD)

    assert "已创建用户 boss（领导）" in out
    user = User.objects.get(username="boss")
    assert can(user, "read_bulletins") and can(user, "view_dashboard")
    assert _committee_codes(user) == []
    assert not any(can(user, action, c) for c in everything for action in ("view", "change"))
    assert visible(user, Branch.objects.all()).count() == 0


def test_skip_existing_leaves_an_existing_user_alone(department_user: User) -> None:
    out = add_user("dept", "--role", "leader", "--password", "Another-pass-2026", "--skip-existing")

    assert "已存在" in out
    department_user.refresh_from_db()
    assert department_user.profile.role == "department"
    assert not department_user.check_password("Another-pass-2026")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["x", "--role", "mayor"],
            "未知角色「mayor」，可选：department、town、secretary、inspector、leader。",
        ),
        (["x", "--role", "town"], "未创建用户 x：镇街用户须指定所属镇街。"),
        (["x", "--role", "town", "--town", "NOPE"], "找不到编码为「NOPE」的镇街。"),
        (["x", "--role", "secretary"], "未创建用户 x：书记和督查组用户须指定联合党组织。"),
        (["x", "--role", "inspector"], "未创建用户 x：书记和督查组用户须指定联合党组织。"),
        (
            [
                "x",
                "--role",
                "inspector",
                "--committee",
                "JC-MZ-1",
                "--committee",
                "NOPE",
                "--committee",
                "GONE",
            ],
            "找不到编码为「NOPE、GONE」的联合党组织。",
        ),
        (["x", "--role", "leader", "--town", "T-MZ"], "--town 只用于镇街用户（--role town）。"),
        (
            ["x", "--role", "town", "--town", "T-MZ", "--committee", "JC-MZ-1"],
            "--committee 只用于书记和督查组用户（--role secretary 或 inspector）。",
        ),
        (["dept", "--role", "leader"], "未创建用户 dept：用户名「dept」已存在。"),
        (["two words", "--role", "leader"], "用户名「two words」无效："),
        (["", "--role", "leader"], "用户名「」无效："),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(
    committee: JointCommittee, department_user: User, args: list[str], message: str
) -> None:
    before = _counts()

    with pytest.raises(CommandError) as exc:
        add_user(*args, "--password", PASSWORD)

    assert str(exc.value).startswith(message)
    assert _counts() == before


@pytest.mark.parametrize("password", ["short", "12345678901", "password123", "Xwanglei2026"])
def test_weak_passwords_are_refused_with_the_validators_messages(db: None, password: str) -> None:
    with pytest.raises(ValidationError) as expected:
        validate_password(password, User(username="wanglei2026"))

    with pytest.raises(CommandError) as exc:
        add_user("wanglei2026", "--role", "leader", "--password", password)

    assert str(exc.value) == f"未创建用户 wanglei2026：{'；'.join(expected.value.messages)}"
    assert not User.objects.exists()
    assert not Profile.objects.exists()


def test_the_role_and_password_options_are_required(db: None) -> None:
    with pytest.raises(CommandError, match="--role"):
        add_user("x", "--password", PASSWORD)
    with pytest.raises(CommandError, match="--password"):
        add_user("x", "--role", "leader")
    assert not User.objects.exists()
