"""Forms that speak: a summary of the errors at the top with links to the fields, what was
typed kept, and our own wording for a text that is too long."""

import re

from tests.test_monthly_workflow import (  # noqa: F401 (fixtures)
    form_data,
    locked_month,
    open_month,
    url,
)
from twinning.monthly.models import MonthlyUpdate


def _summary(body: str) -> str:
    match = re.search(r'<div[^>]*id="error-summary".*?</div>', body, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


def test_a_refused_submission_shows_a_summary_at_the_top_and_keeps_the_text(
    client, secretary_user, committee, open_month  # noqa: F811
) -> None:
    client.force_login(secretary_user)
    response = client.post(url(committee, open_month), form_data(action="submit", summary="短"))
    assert response.status_code == 200
    body = response.content.decode()
    summary = _summary(body)
    assert "请修改下列1处错误" in summary
    assert 'href="#id_summary"' in summary and "工作小结" in summary
    # The summary comes before the form's first field.
    assert body.index('id="error-summary"') < body.index('id="id_meeting_held_0"')
    assert response.context["form"]["summary"].value() == "短"
    assert not MonthlyUpdate.objects.filter(committee=committee).exists()


def test_an_over_long_text_is_refused_in_our_own_words(
    client, secretary_user, committee, open_month  # noqa: F811
) -> None:
    client.force_login(secretary_user)
    response = client.post(url(committee, open_month), form_data(summary="字" * 5001))
    body = response.content.decode()
    assert "确保该变量" not in body and "目前字符数" not in body
    assert "工作小结：最多5000个字，现在是5001个字，请删减后再保存。" in _summary(body)


def test_every_form_through_the_include_shows_the_summary(
    client, secretary_user, committee, locked_month  # noqa: F811
) -> None:
    client.force_login(secretary_user)
    response = client.post(url(committee, locked_month, "monthly_reopen_request"),
                           {"reason": ""})
    summary = _summary(response.content.decode())
    assert "请修改下列1处错误" in summary and 'href="#id_reason"' in summary


def test_a_forms_rows_are_listed_in_its_summary_by_row(client, department_user) -> None:
    from django.urls import reverse

    from tests.test_meetings import _data

    client.force_login(department_user)
    row = {"description": "整改", "owner": "督查组", "committee": ""}
    items = [{**row, "due_on": "2025-04-01"}, {**row, "due_on": "2025-03-01"}]
    body = client.post(reverse("meeting_create"), _data(items, attendees="")).content.decode()
    summary = _summary(body)
    assert "请修改下列2处错误" in summary
    assert 'href="#id_attendees"' in summary
    link = '<a href="#id_items-1-due_on">任务 2 · 完成时限：完成时限不能早于会议日期。</a>'
    assert link in summary
    assert "有些内容需要修改" not in body  # one summary, no second banner
