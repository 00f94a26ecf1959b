"""A secretary may start the current month's draft during the month; it can be submitted
only once the month has ended (DESIGN §3). Later months stay closed."""

from django.urls import reverse
from django.utils import timezone

from tests.test_monthly_workflow import form_data, get_update, url
from twinning.monthly.models import MonthlyUpdate
from twinning.shared.periods import add_months

Status = MonthlyUpdate.Status


def test_secretary_saves_a_draft_of_the_current_month(client, secretary_user, committee) -> None:
    current = timezone.localdate().replace(day=1)
    committee.established_on = add_months(current, -3)
    committee.save()
    client.force_login(secretary_user)
    page = client.get(url(committee, current))
    assert page.status_code == 200
    body = page.content.decode()
    assert "保存草稿" in body and 'value="submit"' not in body
    response = client.post(url(committee, current), form_data(summary="本月已开展联谊活动一次。"))
    assert response.status_code == 302
    assert get_update(committee, current).status == Status.DRAFT


def test_the_current_month_cannot_be_submitted_before_it_ends(
    client, secretary_user, committee
) -> None:
    current = timezone.localdate().replace(day=1)
    committee.established_on = add_months(current, -3)
    committee.save()
    client.force_login(secretary_user)
    response = client.post(url(committee, current), form_data(action="submit"))
    assert response.status_code == 200
    assert "尚未结束" in response.content.decode()
    assert not MonthlyUpdate.objects.filter(committee=committee).exists()


def test_a_later_month_is_still_not_found(client, secretary_user, committee) -> None:
    client.force_login(secretary_user)
    later = add_months(timezone.localdate().replace(day=1), 1)
    assert client.get(url(committee, later)).status_code == 404


def test_the_committee_page_offers_the_current_months_draft(
    client, secretary_user, committee
) -> None:
    current = timezone.localdate().replace(day=1)
    committee.established_on = add_months(current, -3)
    committee.save()
    client.force_login(secretary_user)
    body = client.get(reverse("monthly_committee", args=[committee.code])).content.decode()
    assert f'href="{url(committee, current)}"' in body
