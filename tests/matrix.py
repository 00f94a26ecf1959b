"""What the permission matrices share: the personas, the objects each URL is tried on ("own":
within the persona's reach, "other": outside it), and the site's URLs walked from the URL
configuration. Loaded as a plugin by conftest.py, so its fixtures serve every test module."""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from branches.models import Member
from evaluations.assessments.models import AssessmentRound
from evaluations.inspections.services import rectification_submit
from evaluations.reviews.models import HelpAssignment, MemberReview, ReviewRound
from reports.bulletins.models import Bulletin, TypicalCase
from tests.factories import (
    BulletinFactory,
    MemberFactory,
    help_case,
    make_inspection,
    make_meeting,
    monthly_records,
    open_review_round,
    scored_assessment_round,
)
from twinning.committees.models import JointCommittee
from twinning.monthly.models import MonthlyUpdate

ROLES = ("department", "town", "secretary", "inspector", "leader")

# The record kind each record URL is tried with, and which record's key it takes.
RECORD_KWARGS = {
    "project_detail": (None, "project"),
    "project_record_create": ("progress", "project"),
    "committee_records": ("secondments", None),
    "committee_outcomes": (None, None),
    "record_create": ("hot-issues", None),
    "record_edit": ("secondments", "secondment"),
    "record_delete": ("progress", "report"),
}

# Views that belong to Django or to other packages and guard themselves.
FOREIGN_PREFIXES = ("admin:",)
FOREIGN_NAMES = {"login", "logout", "set_language"}
# Open to anyone, and saying nothing about the programme (a forgotten password, a one-time
# link: tests/test_passwords.py).
PUBLIC_NAMES = {"healthz", "password_reset", "password_reset_done", "password_reset_confirm",
                "account_link"}


def _names(patterns: list, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else ""
            found.extend(_names(p.url_patterns, prefix + ns))
        elif p.name:
            found.append((prefix + p.name, p))
    return found


def site_urls() -> list[tuple[str, URLPattern]]:
    return [
        (name, p) for name, p in _names(get_resolver().url_patterns)
        if not name.startswith(FOREIGN_PREFIXES) and name not in FOREIGN_NAMES | PUBLIC_NAMES
    ]


@dataclass
class Side:
    """The objects a URL is tried on: within the persona's reach ("own") or outside it."""

    committee: JointCommittee
    member: Member
    bulletin: Bulletin
    update: MonthlyUpdate  # with an attachment and a reopen request
    records: dict[str, Any]  # aid and mutual-help records: project, report, secondment
    review_round: ReviewRound | None = None
    review: MemberReview | None = None
    help: HelpAssignment | None = None
    assessment_round: AssessmentRound | None = None
    account: Any = None  # a secretary's account, bound to the side's committee


# Which object an integer `pk` in a URL names, by the URL name's prefix: an attribute of the
# side, or (PK_OF) a key of its `records`.
PK_OF = {"inspection_": "inspection", "rectification_": "rectification",
         "meeting_": "meeting", "action_item_": "action_item", "case_": "typical_case"}
PK_OBJECTS = {"member_": "member", "bulletin_": "bulletin", "review_": "review_round",
              "help_assign": "review", "help_": "help", "assessment_": "assessment_round",
              "account_": "account"}


def url_kwargs(pattern: URLPattern, side: Side) -> dict[str, Any]:
    village = side.committee.memberships.first().village
    name = pattern.name or ""
    pk_of = next((attr for prefix, attr in PK_OBJECTS.items() if name.startswith(prefix)), None)
    values = {
        "code": village.code if name.startswith("branch_") else side.committee.code,
        "village_code": village.code,
        "pk": getattr(side, pk_of).pk if pk_of else None,
        "period": side.update.period,
        "attachment_id": side.update.attachments.get().pk,
        "kind": "members",  # exchange URLs; aid record URLs set their own kind below
        "fmt": "xlsx",
    }
    if name in RECORD_KWARGS:
        kind, record = RECORD_KWARGS[name]
        values["kind"] = kind
        values["pk"] = side.records[record].pk if record else None
    for prefix, key in PK_OF.items():
        if name.startswith(prefix):
            values["pk"] = side.records[key].pk
    return {key: values[key] for key in pattern.pattern.converters}


@pytest.fixture
def personas(department_user, town_user, secretary_user, inspector_user, leader_user):
    return {
        "department": department_user, "town": town_user, "secretary": secretary_user,
        "inspector": inspector_user, "leader": leader_user,
    }


@pytest.fixture
def sides(
    committee: JointCommittee, other_committee: JointCommittee, records: dict[str, dict]
) -> dict[str, Side]:
    """A published bulletin is everyone's to read ("own"); an unpublished one is not. Each side
    has a monthly update, aid records, and a member rated 不合格 in the same review round,
    with a helper."""
    found, helpers = {}, {}
    for name, target, state in (("own", committee, Bulletin.State.PUBLISHED),
                                ("other", other_committee, Bulletin.State.READY)):
        village = target.memberships.first().village
        found[name] = Side(target, MemberFactory(branch=village), BulletinFactory(state=state),
                           monthly_records(target), records[name])
        helpers[name] = MemberFactory(branch=village, role=Member.Role.SECRETARY)
    from twinning.site.accounts import user_create

    for name, side in found.items():
        side.account = user_create(username=f"sec-{name}", role="secretary",
                                   committees=[side.committee])
    review_round = open_review_round()
    assessment_round = scored_assessment_round()
    for name, side in found.items():
        side.review_round = review_round
        side.assessment_round = assessment_round
        side.help = help_case(review_round, side.member, helpers[name])
        side.review = side.help.review
    return found


@pytest.fixture
def records(committee, other_committee, settings, tmp_path) -> dict[str, dict[str, Any]]:
    """For each side: a project with a progress report and a secondment; an inspection with a
    rectification item that has an evidence file; and a joint meeting with an action item
    given to the side's committee (a meeting belongs to no town: town staff read both)."""
    from tests.factories_aid import ProgressFactory, SecondmentFactory

    settings.MEDIA_ROOT = tmp_path
    found = {}
    for side, target in (("own", committee), ("other", other_committee)):
        meeting = make_meeting(items=[{"description": "督促整改", "committee": target}])
        report = ProgressFactory(project__committee=target)
        inspection = make_inspection(target, items=[{"description": "台账不全"}])
        item = inspection.rectifications.get()
        rectification_submit(
            rectification=item, evidence="已补齐台账",
            evidence_file=SimpleUploadedFile("台账.pdf", b"%PDF-1.4 evidence"),
        )
        found[side] = {"project": report.project, "report": report,
                       "secondment": SecondmentFactory(committee=target),
                       "inspection": inspection, "rectification": item, "meeting": meeting,
                       "action_item": meeting.action_items.get(),
                       "typical_case": TypicalCase.objects.create(
                           period=datetime.date(2026, 10, 1), committee=target,
                           title="典型案例", body="案例内容")}
    return found
