"""The import page (upload → preview → confirm), exports of the lists, and the commands."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from branches.models import Branch, Member
from tests.exchange_helpers import csv_bytes, history_rows, read_csv, read_xlsx
from tests.factories import (
    MemberFactory,
    MonthlyUpdateFactory,
    ResidentsFactory,
    VillageFactory,
    make_committee,
)
from tests.factories_aid import AidProjectFactory, ProgressFactory
from twinning.committees.models import JointCommittee
from twinning.shared.models import ImportRecord

pytestmark = pytest.mark.django_db

HEADER = ["编码", "名称", "类型", "所在镇街", "薄弱村"]


def _upload(client, kind: str, rows, name: str = "上传.csv"):
    return client.post(reverse("exchange_import"), {
        "kind": kind, "file": SimpleUploadedFile(name, csv_bytes(rows))})


def test_upload_previews_and_confirm_writes(client, department_user, town) -> None:
    client.force_login(department_user)
    response = _upload(client, "branches", [HEADER, ["V-1", "一村", "村", town.code, "是"]])
    report = response.context["report"]
    assert (report.created, report.ok, report.written) == (1, True, False)
    body = response.content.decode()
    assert "确认导入（1 条变化）" in body and "V-1" in body
    assert not Branch.objects.exists()

    confirmed = client.post(reverse("exchange_confirm"), {"token": response.context["token"]})
    assert confirmed.status_code == 302
    branch = Branch.objects.get(code="V-1")
    assert branch.history.get().history_user == department_user
    page = client.get(reverse("exchange_import")).content.decode()
    assert "已导入「上传.csv」：新建 1 条，修改 0 条，0 条不变。" in page
    assert list(ImportRecord.objects.values_list("dry_run", "status", "created")) == [
        (False, "ok", 1), (True, "ok", 1)]

    # The kept file is gone: the same token cannot write twice.
    again = client.post(reverse("exchange_confirm"), {"token": response.context["token"]},
                        follow=True)
    assert "这次上传已过期或不存在，请重新上传文件。" in again.content.decode()


def test_a_file_with_problems_lists_them_and_offers_no_confirmation(
    client, department_user, town
) -> None:
    client.force_login(department_user)
    response = _upload(client, "branches", [
        HEADER, ["V-1", "一村", "村", town.code, "是"], ["V-2", "二村", "村", "T-NONE", "是"]])
    body = response.content.decode()
    assert "发现 1 处问题，没有写入任何数据。" in body
    assert "找不到编码为「T-NONE」的镇街。" in body
    assert "token" not in response.context and "确认导入" not in body


def test_a_file_that_changes_nothing_says_so(client, department_user, town) -> None:
    VillageFactory(code="V-1", name="一村", town=town, weak=True)
    client.force_login(department_user)
    response = _upload(client, "branches", [HEADER, ["V-1", "一村", "村", town.code, "是"]])
    assert "文件与系统中的数据一致，没有需要写入的内容。" in response.content.decode()
    assert "token" not in response.context


def test_confirm_checks_again_and_writes_nothing_if_the_data_moved_on(
    client, department_user, town
) -> None:
    villages = [VillageFactory(code=c, name=f"{c}村", town=town) for c in ("V-1", "V-2")]
    ResidentsFactory(code="R-1", town=town)
    client.force_login(department_user)
    preview = _upload(client, "committees", [
        ["code", "name", "urban", "villages", "formation", "established_on"],
        ["C-9", "新联合党总支", "R-1", "V-1;V-2", "定对", "2025-01-01"]])
    assert preview.context["report"].ok
    from tests.factories import JointCommitteeFactory

    JointCommitteeFactory(code="C-FIRST", name="抢先联合党总支", town=town,
                          villages=[villages[0], VillageFactory(town=town)])
    response = client.post(reverse("exchange_confirm"), {"token": preview.context["token"]})
    assert response.status_code == 200
    assert "「V-1村」已在联合党组织「抢先联合党总支」中。" in response.content.decode()
    assert not JointCommittee.objects.filter(code="C-9").exists()


def test_a_kept_upload_expires_and_belongs_to_its_session(
    client, department_user, town_user, town, settings
) -> None:
    client.force_login(department_user)
    token = _upload(client, "branches", [HEADER, ["V-1", "一村", "村", town.code, "是"]]
                    ).context["token"]
    client.force_login(town_user)  # a new session: the token is not in it
    response = client.post(reverse("exchange_confirm"), {"token": token}, follow=True)
    assert "这次上传已过期或不存在" in response.content.decode()

    client.force_login(department_user)
    token = _upload(client, "branches", [HEADER, ["V-1", "一村", "村", town.code, "是"]]
                    ).context["token"]
    settings.IMPORT_UPLOAD_MAX_AGE = -1
    response = client.post(reverse("exchange_confirm"), {"token": token}, follow=True)
    assert "这次上传已过期或不存在" in response.content.decode()
    assert not Branch.objects.exists()


def test_a_file_too_large_is_refused_on_the_page(client, department_user, town, settings) -> None:
    settings.IMPORT_MAX_BYTES = 100
    client.force_login(department_user)
    rows = [HEADER, *([f"V-{i}", "一村", "村", town.code, "是"] for i in range(20))]
    body = _upload(client, "branches", rows).content.decode()
    assert "文件超过" in body and "的上限，请分成几个文件导入。" in body
    assert not Branch.objects.exists()


def test_town_staff_import_their_town_but_not_towns(client, town_user, town) -> None:
    client.force_login(town_user)
    response = client.get(reverse("exchange_import"))
    kinds = [key for key, _ in response.context["form"].fields["kind"].choices]
    assert kinds == ["branches", "members", "committees", "monthly_updates", "aid_projects"]
    refused = _upload(client, "towns", [["code", "name", "kind"], ["T-9", "九镇", "镇"]])
    assert "kind" in refused.context["form"].errors
    assert client.get(reverse("exchange_template", args=["towns", "csv"])).status_code == 403
    assert client.get(reverse("exchange_template", args=["members", "pdf"])).status_code == 404


def test_the_history_shows_department_everything_and_town_staff_their_own(
    client, department_user, town_user, town
) -> None:
    client.force_login(department_user)
    _upload(client, "branches", [HEADER, ["V-1", "一村", "村", town.code, "是"]], "部门.csv")
    client.force_login(town_user)
    _upload(client, "branches", [HEADER, ["V-2", "二村", "村", town.code, "是"]], "镇街.csv")
    call_command("import_data", "towns", str(_write_tmp("towns.csv", [
        ["code", "name", "kind"], ["T-9", "九镇", "镇"]])), stdout=StringIO())
    town_page = client.get(reverse("exchange_import")).content.decode()
    assert "镇街.csv" in town_page and "部门.csv" not in town_page
    client.force_login(department_user)
    page = client.get(reverse("exchange_import")).content.decode()
    assert "镇街.csv" in page and "部门.csv" in page and "命令行" in page


def test_templates_download_with_headers(client, department_user) -> None:
    client.force_login(department_user)
    response = client.get(reverse("exchange_template", args=["committees", "csv"]))
    assert response["Content-Disposition"] == 'attachment; filename="committees-template.csv"'
    assert read_csv(response.content)[0] == ["编码", "名称", "城市党组织", "联建村", "结对方式",
                                             "成立日期"]


# Exports of the lists


def test_an_export_contains_only_what_the_list_shows(
    client, town_user, department_user, secretary_user, committee, other_committee
) -> None:
    client.force_login(town_user)
    rows = read_xlsx(client.get(reverse("export_committees", args=["xlsx"])).content)
    assert [row[0] for row in rows[1:]] == [committee.code]
    client.force_login(department_user)
    filtered = client.get(reverse("export_committees", args=["csv"]),
                          {"town": other_committee.town.code})
    assert [row[0] for row in read_csv(filtered.content)[1:]] == [other_committee.code]
    MemberFactory(branch=committee.memberships.first().village, name="本会党员")
    MemberFactory(branch=other_committee.memberships.first().village, name="外会党员")
    client.force_login(secretary_user)
    members = read_csv(client.get(reverse("export_members", args=["csv"])).content)
    assert [row[2] for row in members[1:]] == ["本会党员"]


def test_the_list_pages_link_to_their_exports_with_the_filters(
    client, department_user, committee
) -> None:
    client.force_login(department_user)
    body = client.get(reverse("committee_list"), {"town": committee.town.code}).content.decode()
    assert f'href="/exchange/export/committees.xlsx?town={committee.town.code}"' in body
    for name, kind in (("branch_list", "branches"), ("member_list", "members")):
        assert f"/exchange/export/{kind}.csv?" in client.get(reverse(name)).content.decode()


def test_a_web_export_imports_back_unchanged(client, department_user, committee) -> None:
    MemberFactory(branch=committee.urban, phone="+8613900000000")
    client.force_login(department_user)
    for kind in ("branches", "members", "committees"):
        content = client.get(reverse(f"export_{kind}", args=["xlsx"])).content
        before = history_rows()
        response = client.post(reverse("exchange_import"), {
            "kind": kind, "file": SimpleUploadedFile(f"{kind}.xlsx", content)})
        report = response.context["report"]
        assert report.ok and report.unchanged == report.rows > 0, kind
        assert history_rows() == before


def test_an_unknown_export_format_is_not_found(client, department_user) -> None:
    client.force_login(department_user)
    assert client.get(reverse("export_branches", args=["pdf"])).status_code == 404


def test_exporting_a_list_makes_a_fixed_number_of_queries(
    client, department_user, town, django_assert_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(department_user)
    urls = [reverse(f"export_{kind}", args=["csv"]) for kind in (
        "committees", "branches", "members", "monthly_updates", "aid_projects")]

    def committee_with_records(villages: int):
        committee = make_committee(town=town, villages=villages)
        MonthlyUpdateFactory(committee=committee)
        ProgressFactory(project=AidProjectFactory(committee=committee))
        return committee

    committee_with_records(2)
    client.get(urls[0])
    small = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        small.append(len(queries.captured_queries))
    for _ in range(15):
        committee = committee_with_records(4)
        MemberFactory.create_batch(3, branch=committee.urban)
    for url, count in zip(urls, small, strict=True):
        with django_assert_num_queries(count):
            response = client.get(url)
        assert len(read_csv(response.content)) > 15


# Commands


def _write_tmp(name: str, rows) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / name
    path.write_bytes(csv_bytes(rows))
    return path


def test_import_data_prints_counts_and_records_the_command_line(town) -> None:
    path = _write_tmp("branches.csv", [HEADER, ["V-1", "一村", "村", town.code, "是"]])
    out = StringIO()
    call_command("import_data", "branches", str(path), "--dry-run", stdout=out)
    assert out.getvalue() == "branches.csv：检查通过，未写入（1 行：将新建 1，修改 0，不变 0）。\n"
    assert not Branch.objects.exists()
    out = StringIO()
    call_command("import_data", "branches", str(path), stdout=out)
    assert "branches.csv：已导入 1 行（新建 1，修改 0，不变 0）。" in out.getvalue()
    assert list(ImportRecord.objects.values_list("user", "dry_run")) == [(None, False),
                                                                        (None, True)]


def test_import_data_reports_every_bad_row_and_exits_non_zero(town) -> None:
    path = _write_tmp("bad.csv", [HEADER, ["V-1", "一村", "镇", town.code, "是"],
                                  ["V-2", "二村", "村", "T-NONE", "也许"]])
    err = StringIO()
    with pytest.raises(CommandError, match="bad.csv：发现 3 处问题，没有写入任何数据。"):
        call_command("import_data", "branches", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        "第2行 C列「类型」：「镇」不是可选的值，可填：居委会、企业、部门、村（或 residents、"
        "enterprise、department、village）。",
        "第3行 D列「所在镇街」：找不到编码为「T-NONE」的镇街。",
        "第3行 E列「薄弱村」：「也许」无法识别，请填写“是”或“否”（yes/no）。",
    ]
    assert not Branch.objects.exists()


def test_import_data_refuses_unknown_kinds_and_missing_files(tmp_path) -> None:
    with pytest.raises(CommandError, match="未知的数据类型「people」"):
        call_command("import_data", "people", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_data", "members", str(tmp_path / "x.csv"))


def test_the_command_exit_code_is_non_zero_on_bad_input(tmp_path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    # Production settings, as an administrator runs the command (a key, since DEBUG is off).
    env.update(SQLITE_PATH=str(tmp_path / "db.sqlite3"), DJANGO_SETTINGS_MODULE="twinning.settings",
               SECRET_KEY="test-only-not-secret",
               IMPORT_TEMP_DIR=str(tmp_path / "imports"))

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], capture_output=True,
                              text=True, cwd=Path(__file__).resolve().parent.parent, env=env)

    assert manage("migrate", "-v0").returncode == 0
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    result = manage("import_data", "towns", str(bad))
    assert result.returncode == 1
    assert "文件：文件内容不是有效的 .xlsx 文件。" in result.stderr
    good = _write_tmp("towns.csv", [["code", "name", "kind"], ["T-1", "一镇", "镇"]])
    result = manage("import_data", "towns", str(good))
    assert result.returncode == 0
    assert result.stdout == "towns.csv：已导入 1 行（新建 1，修改 0，不变 0）。\n"


def test_export_data_writes_every_row_in_keys_and_imports_back(committee, tmp_path) -> None:
    out = StringIO()
    target = tmp_path / "committees.csv"
    call_command("export_data", "committees", str(target), stdout=out)
    assert out.getvalue() == f"已导出 1 行到 {target}。\n"
    rows = read_csv(target.read_bytes())
    assert rows[0] == ["code", "name", "urban", "villages", "formation", "established_on"]
    assert rows[1][4] == "assigned"
    labelled = tmp_path / "committees.xlsx"
    call_command("export_data", "committees", str(labelled), "--labels", stdout=StringIO())
    assert read_xlsx(labelled.read_bytes())[1][4] == "定对"
    for path in (target, labelled):
        out = StringIO()
        call_command("import_data", "committees", str(path), stdout=out)
        assert "新建 0，修改 0，不变 1" in out.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["committees.csv", "committees.xlsx"]


def test_export_data_refuses_other_file_types(db, tmp_path) -> None:
    with pytest.raises(CommandError, match="只支持 .csv 或 .xlsx 文件。"):
        call_command("export_data", "towns", str(tmp_path / "towns.json"))


def test_members_export_needs_the_right_to_see_members(client, inspector_user) -> None:
    client.force_login(inspector_user)
    assert client.get(reverse("export_members", args=["csv"])).status_code == 403
    assert Member.objects.count() == 0


def test_import_records_are_in_the_admin_read_only(client, department_user, town) -> None:
    client.force_login(department_user)
    _upload(client, "branches", [HEADER, ["V-1", "一村", "村", town.code, "是"]], "记录.csv")
    changelist = client.get(reverse("admin:twinning_importrecord_changelist"))
    assert changelist.status_code == 200 and "记录.csv" in changelist.content.decode()
    assert client.get(reverse("admin:twinning_importrecord_add")).status_code == 403


def test_uploads_nobody_confirmed_are_thrown_away(client, department_user, town, settings) -> None:
    from django.core.files.storage import storages

    client.force_login(department_user)
    rows = [HEADER, ["V-1", "一村", "村", town.code, "是"]]
    first = _upload(client, "branches", rows).context["token"]
    assert storages["exchange"].exists(first)
    settings.IMPORT_UPLOAD_MAX_AGE = -1
    second = _upload(client, "branches", rows).context["token"]
    assert not storages["exchange"].exists(first)
    assert storages["exchange"].exists(second)
