"""An update's figures as the queue, the review page and the update page show them: money
through the `figures` filters (万元 from 1万 on, thousands separators), counts grouped."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import MonthlyUpdateFactory
from twinning.shared.periods import format_period


@pytest.fixture
def big_update(committee):
    return MonthlyUpdateFactory(committee=committee, investment_yuan=Decimal("5862000.00"),
                                jobs_created=1200, activities=1500)


def _pages(update) -> list[str]:
    args = [update.committee.code, format_period(update.period)]
    return [reverse("monthly_queue"), reverse("monthly_review", args=args),
            reverse("monthly_update", args=args)]


def _facts(body: str) -> str:
    """The update's figures (the page's header has its own list of facts before them)."""
    blocks = re.findall(r'<dl class="facts">.*?</dl>', body, re.S)
    return next(b for b in blocks if "本月召开联合党组织会议" in b or "meeting held" in b)


def test_money_and_counts_in_an_updates_figures_are_grouped(
    client, town_user, big_update
) -> None:
    client.force_login(town_user)
    for url in _pages(big_update):
        response = client.get(url)
        assert response.status_code == 200, url
        facts = _facts(response.content.decode())
        assert "<dd>586.20万元</dd>" in facts, url
        assert "<dd>1,200</dd>" in facts and "<dd>1,500</dd>" in facts, url
        assert "5862000" not in facts and "（元）" not in facts, url


def test_the_english_interface_prints_yuan_in_full(client, town_user, big_update) -> None:
    client.force_login(town_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(_pages(big_update)[0]).content.decode()
    assert "<dd>5,862,000 yuan</dd>" in _facts(body)
