"""Long tables by town are shown a page at a time (the completeness page) or as their most
telling rows with a way to the whole list (the dashboard); exports stay whole."""

import re

from django.urls import reverse

from tests.factories import TownFactory, make_committee


def _rows(html: str, table_id: str) -> list[str]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S).group(1)
    return re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)


def _open(client, user, name: str) -> tuple[str, str]:
    """Three towns (town i has i+1 committees: an order by size); the page `name` as `user`."""
    for i in range(3):
        town = TownFactory(code=f"T-{i:02d}", name=f"第{i:02d}镇")
        for _ in range(i + 1):
            make_committee(town=town)
    client.force_login(user)
    url = reverse(name)
    return url, client.get(url).content.decode()


def test_the_completeness_page_shows_the_towns_a_page_at_a_time(
    client, department_user, settings
) -> None:
    settings.PAGE_SIZE = 2
    url, first = _open(client, department_user, "monthly_completeness")
    assert len(_rows(first, "by-town")) == 2
    assert "第 1 / 2 页，共 3 条" in first
    second = client.get(url, {"towns": 2}).content.decode()
    assert [re.search(r">(第\d+镇)<", row).group(1) for row in _rows(second, "by-town")] == [
        "第02镇"]
    # The committees' grid keeps its own pages.
    assert "第 1 / 1 页，共 6 条" in second


def test_the_dashboard_shows_the_top_and_bottom_towns_and_links_to_all(
    client, department_user, settings
) -> None:
    settings.BULLETIN_TOWN_ROWS = 2
    url, page = _open(client, department_user, "dashboard")
    rows = _rows(page, "towns")
    assert [re.search(r"<td>(第\d+镇)</td>", r).group(1) for r in rows if "第" in r] == [
        "第02镇", "第00镇"]
    assert "另有 1 个镇街" in page
    link = re.search(r'href="(\?[^"]*town_rows=all[^"]*)">全部 3 个镇街', page).group(1)
    whole = client.get(url + link.replace("&amp;", "&")).content.decode()
    assert len(_rows(whole, "towns")) == 3
    assert "另有" not in whole
    assert len(_rows(whole, "score-towns")) == 3
