"""The committee pages' pickers (twinning/shared/pickers.py): the committee form's villages,
and `OneCommitteePicker`, the base of a picker serving a form of one committee."""

from django.db.models import QuerySet
from django.http import HttpRequest

from branches.forms import branch_label
from branches.models import Branch, Town
from twinning.committees import selectors
from twinning.committees.models import JointCommittee
from twinning.shared import permissions
from twinning.shared.lookups import get_visible
from twinning.shared.pickers import PickerView


class VillagePicker(PickerView):
    """Villages a new committee may take: in no active committee, in a town the user sees
    (`CommitteeForm`'s `village_qs`, built by the view from the same selector)."""

    model = Branch
    action = "create"
    search_lookups = ["name__icontains", "code__icontains", "town__name__icontains"]
    ordering = ("town__code", "name")

    def choices(self) -> QuerySet:
        towns = permissions.visible(self.request.user, Town.objects.all())
        return selectors.free_villages(towns.values("id"))

    def label(self, obj: Branch) -> str:
        return f"{obj.town.name} · {obj.name} · {obj.code}"


class OneCommitteePicker(PickerView):
    """A picker for a form of the committee in the URL (`code`): it answers those who may do
    `committee_action` on that committee, as the form's page does (404 for a committee they
    cannot see, 403 for one they may only see); `self.committee` is that committee."""

    committee_action = "change"
    committee: JointCommittee

    def has_permission(self, request: HttpRequest, action: str = "view") -> bool:
        user = getattr(request, "user", None)
        self.user = user
        if action != "view" or user is None or not user.is_authenticated:
            return False
        self.committee = get_visible(request, JointCommittee.objects.select_related("town"),
                                     self.committee_action, code=self.kwargs["code"])
        return True


class CommitteeVillagePicker(OneCommitteePicker):
    """Villages that may join the committee (`AddVillageForm`'s queryset)."""

    model = Branch
    search_lookups = ["name__icontains", "code__icontains"]
    ordering = ("name", "code")

    def choices(self) -> QuerySet:
        return selectors.village_choices(self.committee)

    def label(self, obj: Branch) -> str:
        return branch_label(obj)
