"""The urban-branch picker of the committee form and the town picker of a unit's offers
(twinning/shared/pickers.py)."""

from django.db.models import QuerySet

from branches import selectors
from branches.forms import branch_label, offer_towns
from branches.models import Branch, Town
from twinning.shared import permissions
from twinning.shared.pickers import PickerView


class UrbanPicker(PickerView):
    """The branches the user may make a committee's urban side: exactly
    `permissions.urban_choices` (their town's urban branches and the units offered to it)."""

    model = Branch
    action = "create"
    search_lookups = ["name__icontains", "code__icontains", "town__name__icontains"]
    ordering = ("name", "code")

    def choices(self) -> QuerySet:
        return permissions.urban_choices(self.request.user).select_related("town")

    def label(self, obj: Branch) -> str:
        return branch_label(obj)


class OfferTownPicker(PickerView):
    """The towns a city-level unit may be offered to (`BranchForm`'s `offered_to`): the
    department's choice alone."""

    model = Town
    action = "offer"
    search_lookups = ["name__icontains", "code__icontains"]
    ordering = ("code",)

    def choices(self) -> QuerySet:
        return offer_towns()


class MemberBranchPicker(PickerView):
    """The branches the user may register a member in (`MemberForm`'s branch queryset)."""

    model = Branch
    action = "create"
    search_lookups = ["name__icontains", "code__icontains", "town__name__icontains"]
    ordering = ("name", "code")

    def choices(self) -> QuerySet:
        return selectors.member_branch_choices(self.request.user)

    def label(self, obj: Branch) -> str:
        return branch_label(obj)
