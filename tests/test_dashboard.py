"""The dashboard shows the bulletin's figures for any month; a test proves they are equal."""

import datetime
import re
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports.bulletins.selectors import bulletin_data
from tests.conftest import skip_unless
from tests.factories import make_committee

OCTOBER = datetime.date(2026, 10, 1)


@pytest.fixture
def city(town, other_town):
    from decimal import Decimal

    from tests.factories_aid import ProgressFactory

    committees = [make_committee(town=t, urban_kind=kind, villages=2 + i % 3)
                  for i, (t, kind) in enumerate(
                      [(town, "residents"), (town, "enterprise"), (other_town, "department"),
                       (other_town, "residents")])]
    from tests.factories import make_inspection

    make_inspection(committees[0], visited_on=datetime.date(2026, 10, 12),
                    items=[{"description": "台账不全", "due_on": datetime.date(2026, 10, 20)}])
    for committee, amount in zip(committees, ("123456.78", "80000", "2500000"), strict=False):
        ProgressFactory(project__committee=committee, project__started_on=OCTOBER,
                        reported_on=datetime.date(2026, 10, 20), investment=Decimal(amount))
    return committees


def _stats(html: str) -> dict[str, str]:
    return {key: re.sub(r"\s+", " ", value).strip()
            for key, value in re.findall(r'data-figure="(\w+)">([^<]+)', html)}


def test_dashboard_numbers_equal_the_bulletin_pdf(client, city, department_user, settings,
                                                  tmp_path, capsys) -> None:
    import shutil

    skip_unless(bool(shutil.which("pdftotext")), "poppler-utils (make system-deps)")
    settings.MEDIA_ROOT = tmp_path
    client.force_login(department_user)
    response = client.get(reverse("dashboard"), {"period": "2026-10"})
    shown = _stats(response.content.decode())
    call_command("build_bulletin", "2026-10")
    pdf = capsys.readouterr().out.strip().splitlines()[-1]
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\n", "")
    assert shown["committees"] == "4"
    assert shown["month_investment"] == "270.35万元"
    assert f"共建立城乡联合党组织{shown['committees']}个" in text
    assert f"联建村{shown['villages'].split(' ')[0]}个" in text
    assert f"的{shown['share']}" in text
    assert f"按时报送{shown['on_time']}个、逾期报送{shown['late']}个" in text
    assert f"未报送{shown['missing']}个，报送率{shown['filing_rate']}" in text
    assert f"帮扶投入{shown['month_investment']}" in text
    inspected = shown["inspected"].split(" ")[0]
    assert f"对{inspected}个联合党组织进行了督查" in text
    assert "截至10月31日，尚未完成整改" in text and f"已逾期{shown['overdue']}项" in text
    assert f"基础设施投入{shown['infrastructure']}。" in text
    assert response.context["data"] == bulletin_data(OCTOBER, with_warnings=False)


def test_town_staff_see_their_town_only(client, city, town_user) -> None:
    client.force_login(town_user)
    data = client.get(reverse("dashboard"), {"period": "2026-10"}).context["data"]
    assert data.overview.headline.committees == 2
    assert [t.name for t in data.overview.by_town if t.committees] == ["测试密州街道"]


def test_filters_by_form_and_a_bad_month(client, city, leader_user) -> None:
    client.force_login(leader_user)
    response = client.get(reverse("dashboard"), {"period": "2026-10", "form": "village_residents"})
    assert response.context["data"].overview.headline.committees == 2
    response = client.get(reverse("dashboard"), {"period": "oops"})
    assert response.status_code == 200
    assert "不是有效的月份" in response.content.decode()


def test_dashboard_makes_a_fixed_number_of_queries(
    client, town, department_user, django_assert_num_queries, figures_not_kept
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_committee(town=town)
    client.force_login(department_user)
    url = reverse("dashboard") + "?period=2026-10"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for kind in ("residents", "enterprise", "department") * 4:
        make_committee(town=town, urban_kind=kind, villages=3)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_dashboard_shows_awaiting_review_apart_from_accepted(
    client, city, department_user
) -> None:
    """已报送·待审核 and 已通过 are two states on the dashboard too; the bulletin's own
    figures (filed on time or late) stay as they were."""
    from tests.factories import MonthlyUpdateFactory
    from twinning.monthly.models import MonthlyUpdate

    on_time = datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC)
    MonthlyUpdateFactory(committee=city[0], period=OCTOBER, first_submitted_at=on_time)
    MonthlyUpdateFactory(committee=city[1], period=OCTOBER, first_submitted_at=on_time,
                         status=MonthlyUpdate.Status.ACCEPTED)
    MonthlyUpdateFactory(committee=city[2], period=OCTOBER, first_submitted_at=on_time,
                         status=MonthlyUpdate.Status.ACCEPTED)
    client.force_login(department_user)
    response = client.get(reverse("dashboard"), {"period": "2026-10"})
    shown = _stats(response.content.decode())
    assert (shown["on_time"], shown["awaiting"], shown["accepted"]) == ("3", "1", "2")
    body = response.content.decode()
    assert "已报送·待审核" in body and "已通过" in body
    filing = response.context["data"].filing
    assert (filing.on_time, filing.filed, filing.awaiting, filing.accepted) == (3, 3, 1, 2)
