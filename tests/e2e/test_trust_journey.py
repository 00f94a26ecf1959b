"""What a town user on a phone sees when the site refuses: an urban side outside their town,
a page that is not theirs, and repeated wrong passwords."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE
from tests.factories import EnterpriseFactory, ResidentsFactory, VillageFactory
from twinning.committees.models import JointCommittee
from twinning.shared.permissions import URBAN_OUT_OF_REACH

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_town_user_on_a_phone_is_told_why_an_urban_side_is_refused(
    live_server, page: Page, log_in, town_user, town, other_committee
) -> None:
    own = ResidentsFactory(town=town, name="本镇居委会")
    EnterpriseFactory(name="市直未提供企业")
    villages = VillageFactory.create_batch(2, town=town)
    log_in(page, "town")
    page.goto(f"{live_server.url}/committees/new/")
    # The urban side is picked by typing: the picker offers only what the town may choose.
    answer = page.request.get(f"{live_server.url}/branches/pick-urban/?q=").json()
    offered = " ".join(row["label"] for row in answer["results"])
    assert "本镇居委会" in offered
    assert "市直未提供企业" not in offered and other_committee.urban.name not in offered
    # A forged choice (another town's branch) gets the reason on the field, input kept.
    page.fill("#id_code", "PH-1")
    page.fill("#id_name", "手机新建联合党总支")
    page.evaluate(
        "([select, id, label]) => { const o = new Option(label, id, true, true); "
        "document.querySelector(select).add(o); }",
        ["#id_urban", str(other_committee.urban.pk), other_committee.urban.name],
    )
    for village in villages:
        page.evaluate(
            "([select, id, label]) => { const o = new Option(label, id, true, true); "
            "document.querySelector(select).add(o); }",
            ["#id_villages", str(village.pk), village.name],
        )
    page.fill("#id_established_on", "2025-01-01")
    page.get_by_role("button", name="保存").click()
    error = page.get_by_text(str(URBAN_OUT_OF_REACH), exact=True)
    expect(error).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("手机新建联合党总支")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not JointCommittee.objects.filter(code="PH-1").exists()
    assert own.pk  # the town's own branch stayed offered


def test_a_page_outside_ones_reach_is_a_chinese_page_with_a_way_back(
    live_server, page: Page, log_in, town_user, other_committee
) -> None:
    log_in(page, "town")
    page.goto(f"{live_server.url}/committees/{other_committee.code}/")
    expect(page.locator("h1")).to_contain_text("页面不存在")
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()
    expect(page.get_by_role("navigation", name="主导航")).to_be_visible()
    assert other_committee.name not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_locked_out_user_is_told_in_chinese_when_to_try_again(
    live_server, page: Page, town_user
) -> None:
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "town")
        page.fill("#id_password", "wrong-password-2026")
        page.click("button[type=submit]")
    expect(page.get_by_text("锁定将于")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
