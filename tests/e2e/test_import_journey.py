"""Department staff import a CSV of branches with one bad row: the page names the row and the
column and writes nothing; they fix the file, upload it again, confirm the preview, and the
branches are there."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from branches.models import Branch
from tests.e2e.conftest import navigate, watch_console
from tests.exchange_helpers import csv_bytes
from twinning.shared.models import ImportRecord

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = ["编码", "名称", "类型", "所在镇街", "薄弱村"]


def _upload(page: Page, path: Path) -> None:
    form = page.get_by_role("region", name="导入文件")
    form.get_by_label("数据类型").select_option(label="党组织")
    form.get_by_label("文件").set_input_files(path)
    form.get_by_role("button", name="上传并检查").click()


def test_staff_import_fails_on_a_bad_row_then_succeeds_once_fixed(
    desk: Page, log_in, tmp_path, department_user, town,
) -> None:
    good = ["V-9001", "测试东岭村", "村", town.code, "是"]
    bad = ["V-9002", "测试西岭村", "村", "T-NONE", "否"]
    upload = tmp_path / "新增村.csv"
    upload.write_bytes(csv_bytes([HEADER, good, bad]))

    problems = watch_console(desk)
    log_in(desk, "dept")
    navigate(desk, "导入导出")
    _upload(desk, upload)

    report = desk.get_by_role("region", name="检查结果：新增村.csv（党组织）")
    expect(report).to_contain_text("发现 1 处问题，没有写入任何数据。")
    expect(report.locator("tbody tr")).to_have_count(1)
    expect(report.locator("tbody tr td")).to_have_text(
        ["3", "D 所在镇街", "找不到编码为「T-NONE」的镇街。"])
    expect(report.get_by_role("button", name="确认导入")).to_have_count(0)
    expect(desk.locator("tbody tr", has_text="新增村.csv")).to_contain_text("1 处问题，未写入")
    assert not Branch.objects.filter(code__in=["V-9001", "V-9002"]).exists()

    # The staff member corrects the town code and uploads the file again.
    upload.write_bytes(csv_bytes([HEADER, good, [*bad[:3], town.code, "否"]]))
    _upload(desk, upload)
    preview = desk.get_by_role("region", name="检查结果：新增村.csv（党组织）")
    expect(preview).to_contain_text("每一行都已检查通过，尚未写入。")
    expect(preview.locator("tbody tr")).to_have_count(2)
    expect(preview.locator("tbody tr").nth(1)).to_contain_text("新建")
    expect(preview.locator("tbody tr").nth(1)).to_contain_text("测试西岭村")
    assert not Branch.objects.filter(code__in=["V-9001", "V-9002"]).exists()
    preview.get_by_role("button", name="确认导入（2 条变化）").click()

    expect(desk.locator(".messages")).to_contain_text(
        "已导入「新增村.csv」：新建 2 条，修改 0 条，0 条不变。")
    assert list(Branch.objects.filter(town=town).order_by("code")
                .values_list("code", "name", "kind", "weak")) == [
        ("V-9001", "测试东岭村", "village", True), ("V-9002", "测试西岭村", "village", False)]
    assert list(ImportRecord.objects.order_by("pk").values_list("status", "dry_run")) == [
        ("rejected", True), ("ok", True), ("ok", False)]

    navigate(desk, "党组织")
    rows = desk.locator("tbody tr")
    expect(rows.filter(has_text="V-9001")).to_contain_text("测试东岭村")
    expect(rows.filter(has_text="V-9001")).to_contain_text("薄弱村")
    expect(rows.filter(has_text="V-9002")).to_contain_text("测试西岭村")
    expect(rows.filter(has_text="V-9002")).to_contain_text("测试密州街道")
    assert problems == []
