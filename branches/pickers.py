"""The urban-branch picker of the committee form (twinning/shared/pickers.py)."""

from django.db.models import QuerySet

from branches.models import Branch
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
        town = f"（{obj.town.name}）" if obj.town_id else ""
        return f"{obj.name}{town} · {obj.code}"
