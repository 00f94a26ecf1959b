"""Shared fixtures: a town with a committee, a committee elsewhere, and one user per role."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import translation

from branches.models import Town
from tests.factories import JointCommitteeFactory, TownFactory
from twinning import audit
from twinning.models import JointCommittee, Role
from twinning.services import user_create

PASSWORD = "Persona-pass-2026"


def pytest_report_header(config: pytest.Config) -> str:
    """Say which database the tests run on, so a CI log shows PostgreSQL was really used."""
    if connection.vendor == "sqlite":
        return "database: sqlite (in memory)"
    db = connection.settings_dict
    test_name = db["TEST"].get("NAME") or f"test_{db['NAME']}"
    return f"database: {connection.vendor} ({test_name} on {db['HOST'] or 'local socket'})"


@pytest.fixture(autouse=True)
def _clear_content_type_cache() -> Iterator[None]:
    # Content types are cached per process while test databases roll back between tests;
    # a stale id makes guardian write permissions against the wrong type.
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # Messages are asserted in Chinese; a language left active by an earlier test (a request
    # through LocaleMiddleware, an `activate` call) must not leak into the next one.
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def town(db: None) -> Town:
    return TownFactory(code="T-MZ", name="测试密州街道")


@pytest.fixture
def committee(town: Town) -> JointCommittee:
    return JointCommitteeFactory(code="JC-MZ-1", name="测试后黄疃联合党总支", town=town)


@pytest.fixture
def second_committee(town: Town) -> JointCommittee:
    """Another committee in the same town, for users who reach more than one."""
    return JointCommitteeFactory(code="JC-MZ-2", name="测试五里堡联合党总支", town=town)


@pytest.fixture
def other_town(db: None) -> Town:
    return TownFactory(code="T-LD", name="测试龙都街道")


@pytest.fixture
def other_committee(other_town: Town) -> JointCommittee:
    """A committee in another town: outsiders to it are everyone but the department."""
    return JointCommitteeFactory(code="JC-LD-1", name="测试高家屯联合党总支", town=other_town)


def _user(username: str, role: str, **reach: Any) -> User:
    return user_create(username=username, role=role, password=PASSWORD, **reach)


@pytest.fixture
def department_user(db: None) -> User:
    return _user("dept", Role.DEPARTMENT)


@pytest.fixture
def town_user(town: Town) -> User:
    return _user("town", Role.TOWN, towns=[town])


@pytest.fixture
def secretary_user(committee: JointCommittee) -> User:
    return _user("secretary", Role.SECRETARY, committees=[committee])


@pytest.fixture
def inspector_user(committee: JointCommittee, second_committee: JointCommittee) -> User:
    return _user("inspector", Role.INSPECTOR, committees=[committee, second_committee])


@pytest.fixture
def leader_user(db: None) -> User:
    return _user("leader", Role.LEADER)


@pytest.fixture
def acting_as() -> Callable[[User], AbstractContextManager[None]]:
    """Record history as if `user` made the change in a request.

    The services fetch fresh instances (`select_for_update`), so setting `_history_user` on
    the caller's object would be lost; simple-history's middleware sets this request instead.
    """
    return audit.acting_as
