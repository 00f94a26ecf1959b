"""`--as USERNAME`: a command's changes carry that user's name, within that user's rights."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reports.bulletins.models import Bulletin
from tests.exchange_helpers import AID, csv_bytes
from tests.factories import make_committee, make_publishable
from twinning.aid.models import AidProject
from twinning.shared.models import ImportRecord

pytestmark = pytest.mark.django_db


def _projects(tmp_path, *committees):
    path = tmp_path / "projects.csv"
    path.write_bytes(csv_bytes([AID] + [
        [c.code, f"{c.code}项目", "产业", c.urban.code, "0", "0", "10", "planned", "", ""]
        for c in committees
    ]))
    return str(path)


def test_an_import_as_a_user_carries_their_name(town_user, committee, tmp_path) -> None:
    out = StringIO()
    call_command("import_data", "aid_projects", _projects(tmp_path, committee), "--as",
                 town_user.username, stdout=out)
    assert "已导入 1 行" in out.getvalue()
    project = AidProject.objects.get()
    assert project.history.get().history_user == town_user
    assert ImportRecord.objects.get().user == town_user


def test_an_import_as_a_user_stays_within_their_town(
    town_user, committee, other_committee, tmp_path
) -> None:
    err = StringIO()
    with pytest.raises(CommandError, match="没有写入任何数据"):
        call_command("import_data", "aid_projects", _projects(tmp_path, other_committee), "--as",
                     town_user.username, stderr=err)
    assert "不属于您的镇街" in err.getvalue()
    assert not AidProject.objects.exists()


def test_an_import_as_a_user_without_the_right_is_refused(
    secretary_user, committee, tmp_path
) -> None:
    with pytest.raises(CommandError, match="无权导入"):
        call_command("import_data", "aid_projects", _projects(tmp_path, committee), "--as",
                     secretary_user.username)
    assert not AidProject.objects.exists()


def test_an_unknown_or_inactive_name_stops_the_command(town_user, committee, tmp_path) -> None:
    with pytest.raises(CommandError, match="没有名为「nobody」的有效用户"):
        call_command("import_data", "aid_projects", _projects(tmp_path, committee),
                     "--as", "nobody")
    town_user.is_active = False
    town_user.save()
    with pytest.raises(CommandError, match="有效用户"):
        call_command("build_bulletin", "2026-10", "--as", town_user.username)
    assert not Bulletin.objects.exists()


def test_a_bulletin_built_and_published_as_a_user_carries_their_name(
    department_user, town
) -> None:
    make_publishable(datetime.date(2026, 10, 1), make_committee(town=town))
    call_command("build_bulletin", "2026-10", "--publish", "--as", department_user.username,
                 stdout=StringIO())
    bulletin = Bulletin.objects.get()
    assert (bulletin.state, bulletin.requested_by, bulletin.published_by) == (
        Bulletin.State.PUBLISHED, department_user, department_user)
    assert {h.history_user for h in bulletin.history.all()} == {department_user}


def test_only_those_who_may_publish_build_bulletins_from_the_command_line(
    secretary_user
) -> None:
    with pytest.raises(CommandError, match="无权生成和发布通报"):
        call_command("build_bulletin", "2026-10", "--as", secretary_user.username)
    assert not Bulletin.objects.exists()
