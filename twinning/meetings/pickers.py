"""The meeting form's committee picker (twinning/shared/pickers.py), one for each action-item
row."""

from django.db.models import QuerySet
from django.http import HttpRequest

from twinning.committees.models import JointCommittee
from twinning.meetings import selectors
from twinning.meetings.forms import committee_label
from twinning.meetings.models import JointMeeting
from twinning.shared.lookups import get_visible
from twinning.shared.pickers import PickerView


class ActionItemCommitteePicker(PickerView):
    """The committees an action item may be given to (`selectors.action_item_committees`, the
    queryset `ActionItemForm` validates against), for whoever may record meetings. With a
    meeting in the URL (`pk`), that meeting's: answered as its form is (404 for a meeting the
    user cannot see, 403 for one they may not record)."""

    model = JointCommittee
    action = "record_meetings"
    search_lookups = ["name__icontains", "code__icontains", "town__name__icontains"]
    ordering = ("code",)
    meeting: JointMeeting | None = None

    def has_permission(self, request: HttpRequest, action: str = "view") -> bool:
        user = getattr(request, "user", None)
        if "pk" in self.kwargs and user is not None and user.is_authenticated:
            self.meeting = get_visible(request, JointMeeting.objects.all(), pk=self.kwargs["pk"])
        return super().has_permission(request, action)

    def choices(self) -> QuerySet:
        return selectors.action_item_committees(self.request.user, self.meeting)

    def label(self, obj: JointCommittee) -> str:
        return committee_label(obj)
