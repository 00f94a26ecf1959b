"""Town staff, on a phone, set up a joint committee by typing parts of Chinese names into the
type-ahead pickers and choosing with the keyboard (issue 16, item 7)."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import watch_console
from tests.factories import ResidentsFactory, VillageFactory
from twinning.committees.models import JointCommittee

pytestmark = pytest.mark.django_db(transaction=True)


def test_town_staff_pick_villages_and_urban_side_by_typing(
    page: Page, live_server, log_in, town_user, town, other_town
) -> None:
    VillageFactory.create_batch(30, town=town)  # more than one page of answers
    wangjia = VillageFactory(town=town, name="测试王家我乐村", code="V-WJWL")
    beizhu = VillageFactory(town=town, name="测试北朱解村", code="V-BZJ")
    VillageFactory(town=other_town, name="测试北朱解外镇村", code="V-OUT")
    urban = ResidentsFactory(town=town, name="测试后黄疃居委会", code="R-HHT")
    problems = watch_console(page)
    log_in(page, "town")
    page.goto(f"{live_server.url}/committees/new/")
    page.get_by_label("编码").fill("JC-NEW")
    page.get_by_label("名称").fill("测试后黄疃联合党总支")

    villages = page.get_by_role("combobox", name="联建村")
    villages.click()
    villages.press_sequentially("我乐")
    options = page.locator(".ts-dropdown .option")
    expect(options).to_have_text([f"{town.name} · 测试王家我乐村 · V-WJWL"])
    villages.press("Enter")
    villages.press_sequentially("北朱")
    # The other town's village of the same name is not offered to this town's staff.
    expect(options).to_have_text([f"{town.name} · 测试北朱解村 · V-BZJ"])
    expect(options.first).to_be_in_viewport()
    villages.press("Enter")
    villages.press("Escape")
    chosen = page.locator(".ts-wrapper.multi .item")
    expect(chosen).to_have_count(2)

    picker = page.get_by_role("combobox", name="城市党组织")
    picker.click()
    picker.press_sequentially("后黄")
    expect(page.locator(".ts-dropdown .option")).to_have_text(
        [f"测试后黄疃居委会（{town.name}） · R-HHT"])
    picker.press("Enter")
    page.get_by_label("结对方式").select_option(label="定对")
    page.get_by_label("成立日期").fill("2026-11-01")
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".messages")).to_contain_text("已建立联合党组织「测试后黄疃联合党总支」")
    made = JointCommittee.objects.get(code="JC-NEW")
    assert (made.urban, made.established_on) == (urban, datetime.date(2026, 11, 1))
    assert set(made.memberships.values_list("village", flat=True)) == {wangjia.pk, beizhu.pk}
    assert problems == []


def test_town_staff_add_a_village_by_a_chinese_fragment_and_the_keyboard(
    page: Page, live_server, log_in, town_user, town, committee, other_town
) -> None:
    for name, code in (("测试大高乐埠村", "V-DGLB"), ("测试小高乐埠村", "V-XGLB")):
        VillageFactory(town=town, name=name, code=code)
    VillageFactory(town=other_town, name="测试高乐埠外镇村", code="V-OUT")
    problems = watch_console(page)
    log_in(page, "town")
    page.goto(f"{live_server.url}/committees/{committee.code}/villages/add/")
    picker = page.get_by_role("combobox", name="村党组织")
    picker.click()
    picker.press_sequentially("高乐埠")
    options = page.locator(".ts-dropdown .option")
    # Only this town's free villages, never the other town's.
    expect(options).to_have_count(2)
    expect(page.locator(".ts-dropdown")).not_to_contain_text("外镇")
    expect(options.first).to_have_class(re.compile(r"\bactive\b"))
    picker.press("ArrowDown")
    active = page.locator(".ts-dropdown .option.active")
    expect(active).to_have_text(options.nth(1).inner_text())
    chosen = options.nth(1).inner_text()
    picker.press("Enter")
    expect(page.locator(".ts-wrapper.single .item")).to_have_text(chosen)
    page.get_by_label("加入日期").fill("2026-11-01")
    page.get_by_role("button", name="加入").click()

    expect(page.locator(".messages")).to_contain_text("已加入")
    code = chosen.rsplit(" · ", 1)[1]
    assert committee.memberships.filter(village__code=code, left_on__isnull=True).exists()
    assert problems == []
