"""On a phone, a refused inspection or committee form shows the summary of its errors at the
top, in view and focused, with a link to each field, and keeps everything typed."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from evaluations.inspections.models import Inspection
from tests.e2e.conftest import error_summary_in_view, pick, watch_console
from tests.e2e.test_inspection_journey import fill_inspection, rubric  # noqa: F401 (a fixture)
from tests.factories import ResidentsFactory
from twinning.committees.models import JointCommittee

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_refused_inspection_shows_its_errors_in_view_on_a_phone(
    page: Page, live_server, log_in, inspector_user, committee, second_committee,
    rubric,  # noqa: F811
) -> None:
    problems = watch_console(page)
    log_in(page, "inspector")
    page.goto(f"{live_server.url}/inspections/new/")
    pick(page, page.locator("#id_committee-ts-control"), "五里堡")
    # A score above its maximum, and an item due before the visit.
    item = fill_inspection(page, timezone.localdate() - datetime.timedelta(days=3))
    page.get_by_role("button", name="保存").click()

    summary = error_summary_in_view(page)
    expect(summary).to_contain_text("请修改下列2处错误")
    expect(summary.get_by_role("link")).to_have_text([
        "组织生活：「组织生活」的得分须在0至20分之间（满分20分）。",
        "整改事项 1 · 整改期限：整改期限不能早于督查日期。",
    ])
    expect(page.get_by_text("有些内容需要修改")).to_have_count(0)  # the old banner is gone
    # Everything typed is kept, the picked committee too.
    expect(page.locator("#id_committee")).to_have_value(str(second_committee.pk))
    expect(page.locator(".ts-control .item")).to_have_text(
        f"{second_committee.town.name} · {second_committee.name}")
    expect(page.get_by_label("督查组成员")).to_have_value("张督查、李督查")
    expect(page.get_by_label("组织生活", exact=True)).to_have_value("25")
    expect(page.get_by_label("督查情况")).to_have_value("组织生活正常开展，台账资料不够规范。")
    expect(item.get_by_label("责任人")).to_have_value("王责任")
    # A link in the summary takes the phone to its field.
    summary.get_by_role("link", name="整改期限").click()
    expect(item.get_by_label("整改期限")).to_be_focused()
    expect(item.get_by_label("整改期限")).to_be_in_viewport()
    assert not Inspection.objects.exists()
    assert problems == []


def test_a_refused_committee_shows_its_errors_in_view_on_a_phone(
    page: Page, live_server, log_in, town_user, town
) -> None:
    ResidentsFactory(town=town, name="测试后黄疃居委会", code="R-HHT")
    problems = watch_console(page)
    log_in(page, "town")
    page.goto(f"{live_server.url}/committees/new/")
    page.get_by_label("编码").fill("JC-NEW")
    page.get_by_label("名称").fill("测试后黄疃联合党总支")
    pick(page, page.get_by_role("combobox", name="城市党组织"), "后黄")
    page.get_by_label("结对方式").select_option(label="定对")
    # No village and no date: two errors.
    page.get_by_role("button", name="保存").click()

    summary = error_summary_in_view(page)
    expect(summary).to_contain_text("请修改下列2处错误")
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(summary.get_by_role("link").first).to_contain_text("联建村：")
    expect(summary.get_by_role("link").nth(1)).to_contain_text("成立日期：")
    expect(page.get_by_label("名称")).to_have_value("测试后黄疃联合党总支")
    expect(page.locator(".ts-wrapper.single .item")).to_have_text(
        f"测试后黄疃居委会（{town.name}） · R-HHT")
    expect(page.get_by_label("结对方式")).to_have_value("assigned")
    # The link to a picker puts the focus in the picker's box.
    summary.get_by_role("link").first.click()
    villages = page.get_by_role("combobox", name="联建村")
    expect(villages).to_be_focused()
    expect(villages).to_be_in_viewport()
    assert not JointCommittee.objects.filter(code="JC-NEW").exists()
    assert problems == []
