"""The leader's home: the dashboard's headline figures, the latest bulletin without version
numbers, and what changed since the month before."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import Branch
from reports.bulletins.models import Bulletin
from reports.dashboard.selectors import dashboard_data
from tests.factories import BulletinFactory, make_committee
from tests.factories_aid import AidProjectFactory, ProgressFactory
from twinning.committees.models import JointCommittee
from twinning.shared.periods import previous_month

pytestmark = pytest.mark.django_db


def test_the_leader_sees_the_dashboards_figures_and_the_change_since_last_month(
    client, leader_user, town
) -> None:
    today = timezone.localdate()
    last = previous_month(today)
    before = previous_month(last)
    make_committee(town=town, villages=2, established_on=before - datetime.timedelta(days=40))
    new = make_committee(town=town, villages=3, established_on=last + datetime.timedelta(days=2))
    project = AidProjectFactory(committee=new, started_on=last + datetime.timedelta(days=2))
    ProgressFactory(project=project, reported_on=last + datetime.timedelta(days=5),
                    investment=Decimal("250000"), jobs=3)
    client.force_login(leader_user)
    response = client.get(reverse("home"))
    body = response.content.decode()

    data = dashboard_data(last, JointCommittee.objects.all(),
                          Branch.objects.filter(kind=Branch.Kind.VILLAGE))
    assert response.context["headline"] == data.overview.headline
    rows = {str(row.label): (row.now, row.before, row.delta)
            for row in response.context["changes"]["rows"]}
    assert rows["联合党组织"] == (2, 1, 1)
    assert rows["联建村"] == (5, 2, 3)
    assert rows["当月帮扶投入"] == (Decimal("25.00"), Decimal("0.00"), Decimal("25.00"))
    assert f"{last:%Y}年{last.month}月与{before.month}月相比" in body
    assert "+3" in body and "25.00万元" in body


def test_the_latest_bulletin_is_named_by_its_month_without_a_version(
    client, leader_user
) -> None:
    bulletin = BulletinFactory(period=datetime.date(2026, 10, 1), version=3,
                               state=Bulletin.State.PUBLISHED, checksum="ab" * 32,
                               published_at=timezone.now())
    client.force_login(leader_user)
    body = client.get(reverse("home")).content.decode()
    assert "2026年10月月度通报" in body and bulletin.get_absolute_url() in body
    assert "第3版" not in body and "版本" not in body and "ab" * 32 not in body


def test_other_roles_get_no_month_comparison(client, town_user, department_user) -> None:
    for user in (town_user, department_user):
        client.force_login(user)
        assert "changes" not in client.get(reverse("home")).context
