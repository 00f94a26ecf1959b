"""The kinds of aid and mutual-help records, for the pages that list, add, change and delete them.

Each kind names its model, form and save service, whether it hangs off a committee or off an
aid project, and how its list is filtered. `connect()` (called from the app's `ready()`) tells
the permissions who sees these models and registers their report-once source.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from twinning.aid import forms, services
from twinning.aid import models as aid
from twinning.shared import permissions

COMMITTEE, PROJECT = "committee", "project"


@dataclass(frozen=True)
class RecordKind:
    slug: str
    model: type[Model]
    form: type[forms.RecordForm]
    save: Callable[..., Model]
    title: Promise
    parent: str = COMMITTEE
    select: tuple[str, ...] = ("committee",)
    # The date (or year) field the list's year filter applies to, and fields with choices the
    # list can be filtered by.
    year_field: str = ""
    choice_filters: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """From a record to its committee."""
        return "committee" if self.parent == COMMITTEE else "project__committee"

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def row_template(self) -> str:
        return f"twinning/aid/rows/{self.slug}.html"

    def queryset(self) -> QuerySet:
        qs = self.model.objects.select_related(self.path, *self.select)
        return qs.with_progress() if self.model is aid.AidProject else qs

    def choices(self) -> list[tuple[str, str, list]]:
        """(field name, label, choices) of the list's choice filters."""
        fields = [self.model._meta.get_field(name) for name in self.choice_filters]
        return [(f.name, str(f.verbose_name), list(f.choices)) for f in fields]


KINDS: dict[str, RecordKind] = {
    kind.slug: kind
    for kind in (
        RecordKind("projects", aid.AidProject, forms.ProjectForm, services.project_save,
                   _("帮扶项目"), select=("committee", "funder"), year_field="started_on",
                   choice_filters=("category", "mechanism", "status")),
        RecordKind("secondments", aid.Secondment, forms.SecondmentForm,
                   services.secondment_save, _("互派挂职"),
                   select=("committee", "from_branch", "to_branch"), year_field="started_on"),
        RecordKind("pairings", aid.MemberPairing, forms.PairingForm, services.pairing_save,
                   _("党员结对"),
                   select=("committee", "urban_member__branch", "village_member__branch"),
                   year_field="since"),
        RecordKind("activities", aid.HelpActivity, forms.ActivityForm,
                   services.activity_save, _("互助活动"), year_field="held_on",
                   choice_filters=("kind",)),
        RecordKind("hot-issues", aid.HotIssue, forms.HotIssueForm, services.hot_issue_save,
                   _("热点难点问题"), year_field="year", choice_filters=("status",)),
        RecordKind("governance", aid.GovernanceRecord, forms.GovernanceForm,
                   services.governance_save, _("组织建设"),
                   select=("committee", "village"), year_field="done_on",
                   choice_filters=("kind",)),
        RecordKind("progress", aid.ProjectProgress, forms.ProgressForm,
                   services.progress_save, _("项目进度"), parent=PROJECT, select=()),
        RecordKind("outputs", aid.InfrastructureOutput, forms.OutputForm,
                   services.output_save, _("建设成果"), parent=PROJECT, select=()),
    )
}
# The tabs of a committee's aid and mutual-help page, in order.
COMMITTEE_TABS = [kind for kind in KINDS.values() if kind.parent == COMMITTEE]


def connect() -> None:
    """Who sees these records: exactly who sees their committee."""
    for kind in KINDS.values():
        permissions.register_visibility(kind.model, committee=kind.path)
