"""The account form's committee picker (twinning/shared/pickers.py)."""

from django.db.models import QuerySet
from django.http import HttpRequest

from twinning.committees.models import JointCommittee
from twinning.shared.pickers import PickerView
from twinning.site.account_forms import committee_choices, committee_label
from twinning.site.account_views import manages_accounts


class AccountCommitteePicker(PickerView):
    """The committees an account manager may bind a secretary or an inspector to (the
    account forms' `committees` queryset): every one for the department, their own towns'
    for town staff."""

    model = JointCommittee
    search_lookups = ["name__icontains", "code__icontains", "town__name__icontains"]
    ordering = ("town__code", "code")

    def has_permission(self, request: HttpRequest, action: str = "view") -> bool:
        user = getattr(request, "user", None)
        self.user = user
        return (action == "view" and user is not None and user.is_authenticated
                and manages_accounts(user))

    def choices(self) -> QuerySet:
        return committee_choices(self.request.user)

    def label(self, obj: JointCommittee) -> str:
        return committee_label(obj)
