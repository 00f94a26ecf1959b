"""The branch list's "joined" state and the rules on changing a branch that sits in a
committee: a village that never joined, or that left, is not in a committee."""

import datetime

from branches import selectors
from branches.models import Branch
from tests.factories import VillageFactory


def _joined(user, **params) -> set[str]:
    return set(selectors.branch_list(user, params).filter(joined=True)
               .values_list("code", flat=True))


def test_only_current_villages_count_as_joined(department_user, committee, town) -> None:
    members = list(committee.memberships.select_related("village"))
    never = VillageFactory(code="V-NEVER", town=town)
    left = members[0]
    left.left_on = datetime.date(2024, 6, 30)
    left.save()
    joined = _joined(department_user)
    assert never.code not in joined and left.village.code not in joined
    assert {m.village.code for m in members[1:]} <= joined
    not_joined = set(selectors.branch_list(department_user, {"joined": "no"})
                     .values_list("code", flat=True))
    assert {never.code, left.village.code} <= not_joined


def test_in_committees_names_current_villages_only(committee, town) -> None:
    never = VillageFactory(code="V-NEVER", town=town)
    current = {m.village_id for m in committee.memberships.all()}
    assert set(selectors.in_committees(Branch.objects.all())) == current
    assert never.pk not in set(selectors.in_committees(Branch.objects.all()))
