"""The aid project form's funder picker (twinning/shared/pickers.py)."""

from django.db.models import QuerySet

from branches.forms import branch_label
from branches.models import Branch
from twinning.aid.forms import funder_choices
from twinning.committees.pickers import OneCommitteePicker


class FunderPicker(OneCommitteePicker):
    """Who may fund a project of the committee in the URL (`ProjectForm`'s funder queryset),
    for those who may manage the committee's records."""

    model = Branch
    committee_action = "manage"
    search_lookups = ["name__icontains", "code__icontains", "town__name__icontains"]
    ordering = ("kind", "code")

    def choices(self) -> QuerySet:
        return funder_choices()

    def label(self, obj: Branch) -> str:
        return branch_label(obj)
