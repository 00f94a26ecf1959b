"""The role policy itself (DESIGN §2): every action answers for every role as the table says,
and the README shows that table as it is."""

from pathlib import Path

import pytest

from twinning.shared import permissions
from twinning.shared.policy_table import policy_table

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize("action", sorted(permissions.GRANTS))
def test_every_action_answers_as_the_policy_says(action, personas) -> None:
    for role, user in personas.items():
        assert permissions.can(user, action) == (role in permissions.GRANTS[action]), role


def test_an_action_the_policy_does_not_name_is_the_departments(personas) -> None:
    answers = {role: permissions.can(user, "no_such_action") for role, user in personas.items()}
    assert answers == {"department": True, "town": False, "secretary": False,
                       "inspector": False, "leader": False}


def test_anonymous_users_may_do_nothing() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not any(permissions.can(AnonymousUser(), action) for action in permissions.GRANTS)


def test_readme_shows_the_policy_as_it_is() -> None:
    """Regenerate with `python manage.py shell -c "from twinning.shared.policy_table import
    policy_table; print(policy_table())"` and paste it under "Who may do what"."""
    assert policy_table() in README.read_text()
