"""Citywide figures are remembered until the data changes, and never across a recorded change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.factories import make_committee
from twinning.committees.models import JointCommittee
from twinning.committees.services import committee_dissolve
from twinning.shared import kept_figures, permissions

pytestmark = pytest.mark.django_db


def _counting(calls: list) -> object:
    def compute(committees):
        calls.append(1)
        return committees.count()

    return compute


def test_a_figure_is_computed_once_while_nothing_changes(committee) -> None:
    calls: list = []
    compute = _counting(calls)
    assert kept_figures.remember("n", compute, JointCommittee.objects.all()) == 1
    assert kept_figures.remember("n", compute, JointCommittee.objects.all()) == 1
    assert len(calls) == 1
    # Other inputs (another filter, another scope) are other figures.
    assert kept_figures.remember("n", compute, JointCommittee.objects.filter(code="none")) == 0
    assert kept_figures.remember("n", compute, JointCommittee.objects.none()) == 0
    assert len(calls) == 3


def test_objects_are_told_apart_by_their_key_not_their_name(town) -> None:
    twin = type(town).objects.create(code=f"{town.code}9", name=town.name)
    assert repr(twin) == repr(town)
    assert kept_figures.remember("name", lambda t: t.pk, town) == town.pk
    assert kept_figures.remember("name", lambda t: t.pk, twin) == twin.pk


def test_a_recorded_change_makes_every_figure_fresh(committee, town) -> None:
    calls: list = []
    compute = _counting(calls)
    everything = JointCommittee.objects.filter(dissolved_on__isnull=True)
    assert kept_figures.remember("n", compute, everything) == 1
    second = make_committee(town=town)
    assert kept_figures.remember("n", compute, everything) == 2
    committee_dissolve(committee=second, dissolved_on=second.established_on, reason="合并")
    assert kept_figures.remember("n", compute, everything) == 1
    assert len(calls) == 3


def test_deleting_a_row_changes_the_version(committee) -> None:
    before = kept_figures.data_version()
    committee.memberships.first().delete()
    assert kept_figures.data_version() != before


def test_granting_and_revoking_access_change_the_version(committee, department_user) -> None:
    before = kept_figures.data_version()
    permissions.grant_committee(department_user, committee)
    granted = kept_figures.data_version()
    permissions.revoke_committee(department_user, committee)
    # Revoked, the access is what it was before the grant: so is the version.
    assert granted != before and kept_figures.data_version() == before


def test_the_language_is_part_of_the_key(committee) -> None:
    calls: list = []

    def label(committees):
        calls.append(1)
        return translation.gettext("联合党组织")

    with translation.override("en"):
        english = kept_figures.remember("label", label, JointCommittee.objects.all())
    chinese = kept_figures.remember("label", label, JointCommittee.objects.all())
    assert (english, chinese) == ("Joint committees", "联合党组织")
    assert len(calls) == 2


def test_dashboard_is_served_from_memory_until_an_update_is_saved(
    client, committee, town, department_user
) -> None:
    client.force_login(department_user)
    url = reverse("dashboard")
    first = client.get(url)
    assert first.context["data"].overview.headline.committees == 1
    with CaptureQueriesContext(connection) as cold:
        client.get(url, {"town": town.code})
    with CaptureQueriesContext(connection) as warm:
        again = client.get(url, {"town": town.code})
    assert len(warm) < len(cold) - 20
    assert again.context["data"].overview.headline.committees == 1
    make_committee(town=town)
    fresh = client.get(url, {"town": town.code})
    assert fresh.context["data"].overview.headline.committees == 2


def test_the_version_is_read_once_per_request(client, committee, department_user) -> None:
    client.force_login(department_user)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    version = {kept_figures._version_sql(), f"EXECUTE {kept_figures.PREPARED}"}
    assert len([q for q in queries.captured_queries if q["sql"] in version]) == 1


def test_a_town_user_and_the_department_get_their_own_figures(
    client, committee, other_committee, town_user, department_user
) -> None:
    client.force_login(department_user)
    assert client.get(reverse("home")).context["headline"].committees == 2
    client.force_login(town_user)
    assert client.get(reverse("home")).context["headline"].committees == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_version_is_read_by_a_statement_planned_once_per_connection(committee) -> None:
    # Planning the version's fifty subqueries cost more than running them, on every request.
    with CaptureQueriesContext(connection) as queries:
        first = kept_figures.data_version()
        second = kept_figures.data_version()
    assert first == second
    assert [q["sql"] for q in queries.captured_queries] == [f"EXECUTE {kept_figures.PREPARED}"] * 2
    committee.memberships.first().delete()
    assert kept_figures.data_version() != first
