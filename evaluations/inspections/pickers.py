"""The inspection form's committee picker (twinning/shared/pickers.py)."""

from django.db.models import QuerySet
from django.http import HttpRequest

from evaluations.inspections import selectors
from twinning.committees.models import JointCommittee
from twinning.shared.pickers import PickerView


class CommitteePicker(PickerView):
    """Committees the user may record an inspection of (`selectors.inspectable_committees`,
    the queryset `InspectionForm` validates against)."""

    model = JointCommittee
    action = "view"
    search_lookups = ["name__icontains", "code__icontains", "town__name__icontains"]
    ordering = ("town__code", "code")

    def has_permission(self, request: HttpRequest, action: str = "view") -> bool:
        # Like the inspection form: no committee to inspect, no picker (403).
        return (super().has_permission(request, action)
                and selectors.inspectable_committees(request.user).exists())

    def choices(self) -> QuerySet:
        return selectors.inspectable_committees(self.request.user)

    def label(self, obj: JointCommittee) -> str:
        return f"{obj.town.name} · {obj.name}"
