"""An inspector, on a phone, records an inspection of an assigned committee: a score for each
criterion and one rectification item; the inspection and the item are then on their pages."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from evaluations.inspections.models import Inspection, InspectionCriterion, Rectification
from evaluations.inspections.services import rubric_save
from tests.e2e.conftest import navigate, watch_console
from twinning.shared.child_rows import ChildRow

pytestmark = pytest.mark.django_db(transaction=True)

DEFAULT_RUBRIC = importlib.import_module("evaluations.migrations.0002_default_criteria")
SCORES = {"组织生活": "18", "互帮互助活动": "17.5", "帮扶项目进度": "15",
          "台账资料": "16", "群众满意度": "19"}


@pytest.fixture
def rubric(transactional_db: None) -> list[InspectionCriterion]:
    """The default rubric, which an earlier transactional test's flush may have removed."""
    if not InspectionCriterion.objects.exists():
        rubric_save(rows=[
            ChildRow(values={"name": name, "description": text, "max_score": Decimal(20),
                             "order": order, "active": True})
            for order, (name, text) in enumerate(DEFAULT_RUBRIC.INSPECTION_CRITERIA, start=1)
        ])
    return list(InspectionCriterion.objects.filter(active=True))


def fill_inspection(page: Page, due: datetime.date) -> Locator:
    """Fill the inspection form after its committee: the team, every score of SCORES but
    「组织生活」 above its maximum of 20, the findings and one rectification item due on `due`;
    return the item's rows."""
    page.get_by_label("督查组成员").fill("张督查、李督查")
    for name, score in SCORES.items():
        page.get_by_label(name, exact=True).fill(score)
    page.get_by_label("组织生活", exact=True).fill("25")
    page.get_by_label("督查情况").fill("组织生活正常开展，台账资料不够规范。")
    item = page.locator("fieldset", has_text="整改事项 1")
    item.get_by_label("整改内容").fill("补齐2026年联席会议记录和签到表。")
    item.get_by_label("责任人").fill("王责任")
    item.get_by_label("整改期限").fill(due.isoformat())
    return item


def test_inspector_records_an_inspection_with_a_rectification_item(
    page: Page, log_in, inspector_user, committee, second_committee, other_committee, rubric,
) -> None:
    assert [c.name for c in rubric] == list(SCORES)
    today = timezone.localdate()
    due = today + datetime.timedelta(days=30)
    problems = watch_console(page)
    log_in(page, "inspector")
    navigate(page, "督查")
    page.get_by_role("link", name="录入督查").click()

    # Only the committees assigned to this inspector are offered, in the type-ahead picker.
    choice = page.locator("#id_committee-ts-control")
    choice.click()
    expect(page.locator(".ts-dropdown .option")).to_have_text(
        [f"测试密州街道 · {committee.name}", f"测试密州街道 · {second_committee.name}"]
    )
    choice.press_sequentially("五里堡")
    expect(page.locator(".ts-dropdown .option")).to_have_text(
        [f"测试密州街道 · {second_committee.name}"])
    choice.press("Enter")
    expect(page.locator("#id_committee")).to_have_value(str(second_committee.pk))
    expect(page.get_by_label("督查日期")).to_have_value(today.isoformat())
    fill_inspection(page, due)
    page.get_by_role("button", name="保存").click()

    # The score out of range is refused on its line; everything typed is kept.
    expect(page.locator("tr.invalid")).to_contain_text("「组织生活」的得分须在0至20分之间（满分20分）。")
    expect(page.get_by_label("责任人")).to_have_value("王责任")
    assert not Inspection.objects.exists()
    page.get_by_label("组织生活", exact=True).fill("18")
    expect(page.locator("output[data-score-total]")).to_have_text("85.5")
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".messages")).to_contain_text("已保存督查记录")
    expect(page.locator("h1")).to_contain_text(second_committee.name)
    expect(page.locator(".stat", has_text="总分")).to_contain_text("85.5 / 100")
    scores = page.locator("table").first.locator("tbody tr")
    expect(scores).to_have_count(5)
    expect(scores.first).to_have_text("组织生活2018")
    items = page.locator("table").nth(1).locator("tbody tr")
    expect(items).to_have_count(1)
    expect(items).to_contain_text("补齐2026年联席会议记录和签到表。")
    expect(items).to_contain_text(due.isoformat())
    expect(items).to_contain_text("整改中")

    # The item is in the rectification list, open, under the inspected committee.
    navigate(page, "整改")
    row = page.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("补齐2026年联席会议记录和签到表。")
    expect(row).to_contain_text(second_committee.name)
    expect(row).to_contain_text(due.isoformat())
    expect(page.locator(".stat", has_text="整改中")).to_contain_text("1")
    assert problems == []
    saved = Rectification.objects.get()
    assert (saved.committee, saved.owner, saved.due_on, saved.inspection.total) == (
        second_committee, "王责任", due, Decimal("85.5"))
