"""Dates on which something happened cannot lie after today, whether typed on a form or read
from an import: a committee "established" in 2099 would take its villages today and join the
open review round; a member "joined" in 2099 is a typing slip."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import Member
from tests.exchange_helpers import csv_bytes, problems
from tests.factories import ResidentsFactory, VillageFactory
from twinning.committees.models import JointCommittee
from twinning.committees.services import (
    committee_add_village,
    committee_dissolve,
    committee_remove_village,
)
from twinning.shared.exchange import import_file

FUTURE = "2099-01-01"
REFUSED = "日期不能晚于今天。"

pytestmark = pytest.mark.django_db


def _run(kind: str, rows: list[list[str]]):
    return import_file(kind, f"{kind}.csv", csv_bytes(rows), user=None, dry_run=False)


def test_member_form_refuses_a_future_joining_date(client, department_user, committee) -> None:
    village = committee.memberships.first().village
    client.force_login(department_user)
    response = client.post(reverse("member_create"), {
        "branch": village.pk, "name": "未来党员", "role": "member", "joined_on": FUTURE})
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not Member.objects.filter(name="未来党员").exists()


def test_member_import_refuses_a_future_joining_date(committee) -> None:
    village = committee.memberships.first().village
    report = _run("members", [["branch", "name", "joined_on"], [village.code, "未来党员", FUTURE]])
    assert not report.ok
    assert any(REFUSED in message for _row, _column, message in problems(report))
    assert not Member.objects.filter(name="未来党员").exists()


def test_committee_form_refuses_a_future_founding_date(client, department_user, town) -> None:
    villages = VillageFactory.create_batch(2, town=town)
    client.force_login(department_user)
    response = client.post(reverse("committee_create"), {
        "code": "FUT1", "name": "未来联合党总支", "urban": ResidentsFactory(town=town).pk,
        "villages": [v.pk for v in villages], "formation": "assigned",
        "established_on": FUTURE})
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not JointCommittee.objects.filter(code="FUT1").exists()


def test_committee_edit_refuses_a_future_founding_date(
    client, department_user, committee
) -> None:
    client.force_login(department_user)
    response = client.post(reverse("committee_edit", args=[committee.code]), {
        "name": committee.name, "urban": committee.urban_id, "formation": "voluntary",
        "established_on": FUTURE})
    assert REFUSED in response.content.decode()
    committee.refresh_from_db()
    assert committee.established_on != datetime.date(2099, 1, 1)


def test_committee_import_refuses_a_future_founding_date(town) -> None:
    villages = VillageFactory.create_batch(2, town=town)
    urban = ResidentsFactory(town=town)
    report = _run("committees", [
        ["code", "name", "urban", "villages", "formation", "established_on"],
        ["FUT2", "未来联合党总支", urban.code, ";".join(v.code for v in villages), "assigned",
         FUTURE],
    ])
    assert not report.ok
    assert any(REFUSED in message for _row, _column, message in problems(report))
    assert not JointCommittee.objects.filter(code="FUT2").exists()


def test_villages_cannot_join_or_leave_nor_a_committee_dissolve_in_the_future(
    committee, town
) -> None:
    from django.core.exceptions import ValidationError

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match=REFUSED):
        committee_add_village(committee=committee, village=VillageFactory(town=town),
                              joined_on=tomorrow)
    committee_add_village(committee=committee, village=VillageFactory(town=town),
                          joined_on=timezone.localdate())
    village = committee.memberships.first().village
    with pytest.raises(ValidationError, match=REFUSED):
        committee_remove_village(committee=committee, village=village, left_on=tomorrow,
                                 reason="并入他组")
    with pytest.raises(ValidationError, match=REFUSED):
        committee_dissolve(committee=committee, dissolved_on=tomorrow, reason="合并")
    committee.refresh_from_db()
    assert committee.dissolved_on is None
    assert committee.memberships.filter(left_on__isnull=True).count() == 3
