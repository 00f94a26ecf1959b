"""The committee form's village picker (twinning/shared/pickers.py)."""

from django.db.models import QuerySet

from branches.models import Branch, Town
from twinning.committees import selectors
from twinning.shared import permissions
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
