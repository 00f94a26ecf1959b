"""On a phone, department staff import a members file where two members of one village share
a name: a row without its number is refused saying so; with numbers the file goes in whole,
and the members page tells the two 王芳 apart by number."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from branches.models import Member
from tests.e2e.conftest import navigate, watch_console
from tests.exchange_helpers import csv_bytes
from tests.factories import VillageFactory

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = ["所在党组织", "党员编号", "姓名", "职务", "入党日期"]


def _upload(page: Page, path: Path) -> None:
    form = page.get_by_role("region", name="导入文件")
    form.get_by_label("数据类型").select_option(label="党员")
    form.get_by_label("文件").set_input_files(path)
    form.get_by_role("button", name="上传并检查").click()


def test_namesakes_import_with_their_numbers_and_are_told_apart(
    page: Page, log_in, tmp_path, department_user, town,
) -> None:
    village = VillageFactory(code="V-8001", name="测试北朱解村", town=town)
    upload = tmp_path / "党员名册.csv"
    upload.write_bytes(csv_bytes([
        HEADER,
        [village.code, "", "王芳", "党员", "1998-07-01"],
        [village.code, "370782002", "王芳", "委员", "2012-07-01"],
    ]))
    problems = watch_console(page)
    log_in(page, "dept")
    navigate(page, "导入导出")
    _upload(page, upload)
    report = page.get_by_role("region", name="检查结果：党员名册.csv（党员）")
    expect(report).to_contain_text("发现 1 处问题，没有写入任何数据。")
    expect(report.locator("tbody tr td")).to_have_text([
        "2", "C 姓名",
        "本党组织有多名党员叫「王芳」（第2、3行），须填写党员编号（number）以区分。"])

    upload.write_bytes(csv_bytes([
        HEADER,
        [village.code, "370782001", "王芳", "党员", "1998-07-01"],
        [village.code, "370782002", "王芳", "委员", "2012-07-01"],
    ]))
    _upload(page, upload)
    preview = page.get_by_role("region", name="检查结果：党员名册.csv（党员）")
    expect(preview).to_contain_text("王芳（370782001 · 党员 · 1998年入党）")
    preview.get_by_role("button", name="确认导入（2 条变化）").click()
    expect(page.locator(".messages")).to_contain_text("已导入")
    assert Member.objects.filter(branch=village, name="王芳").count() == 2

    navigate(page, "党员")
    rows = page.locator("tbody tr", has_text="王芳")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="370782001")).to_contain_text("党员")
    expect(rows.filter(has_text="370782002")).to_contain_text("委员")
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert problems == []
