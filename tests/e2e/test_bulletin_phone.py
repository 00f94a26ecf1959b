"""A leader reads a published bulletin on a phone (390×844): the figures, the charts drawn by
Chart.js and the sections, the PDF and Word downloads beside them, and nothing of the
department's (no buttons, no version details, no hash)."""

import pytest
from playwright.sync_api import Page, expect

from reports.bulletins import services
from tests.e2e.conftest import watch_console
from tests.factories import make_committee, make_publishable

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_leader_reads_the_published_bulletin_on_a_phone(
    live_server, page: Page, log_in, settings, tmp_path, town, department_user, leader_user,
) -> None:
    import datetime

    settings.MEDIA_ROOT = tmp_path
    committees = [make_committee(town=town, urban_kind=kind, villages=2)
                  for kind in ("residents", "enterprise", "department")]
    make_publishable(datetime.date(2026, 10, 1), committees[0])
    bulletin = services.bulletin_request(period=datetime.date(2026, 10, 1))
    assert services.bulletin_build(bulletin.pk) == "ready"
    bulletin.refresh_from_db()
    services.bulletin_publish(bulletin=bulletin, user=department_user)

    problems = watch_console(page)
    log_in(page, "leader")
    page.goto(f"{live_server.url}{bulletin.get_absolute_url()}")
    expect(page.locator("h1")).to_have_text("2026年10月月度通报")
    expect(page.get_by_role("link", name="下载PDF")).to_be_visible()
    expect(page.get_by_role("link", name="下载Word版")).to_be_visible()
    edition = page.locator(".bulletin-edition")
    expect(edition.locator("h2.section").first).to_have_text("一、总体情况")
    expect(edition).to_contain_text("全市共建立城乡联合党组织3个")
    # Every chart is drawn (Chart.js gives the canvas its size), none wider than the screen.
    charts = edition.locator("canvas[data-chart]")
    assert charts.count() == 9
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and 0 < box["width"] <= 390 and box["height"] >= 90
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Each chart's value axis ticks on the PDF's round numbers: 0, step, 2 × step … max.
    axes = page.evaluate("""() => [...document.querySelectorAll('canvas[data-chart]')].map(c => {
        const spec = JSON.parse(c.dataset.chart), chart = Chart.getChart(c);
        const scale = chart.scales[spec.kind === 'hbar' ? 'x' : 'y'];
        return {axis: spec.axis, ticks: scale.ticks.map(t => t.value)};
    })""")
    for drawn in axes:
        step, top = drawn["axis"]["step"], drawn["axis"]["max"]
        assert drawn["ticks"] == [i * step for i in range(round(top / step) + 1)], drawn
    for hidden in ("SHA-256", "重新生成", "版本", "第1版"):
        expect(page.locator("main")).not_to_contain_text(hidden)
    expect(page.locator("main").get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("link", name="发布", exact=True)).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载Word版").click()
    assert download.value.suggested_filename == "2026-10-通报-第1版.docx"
    page.screenshot(path="var/bulletin-phone.png", full_page=True)
    assert problems == []
