"""Factories for the organisation and committee models; committees go through the services."""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from branches.models import Branch, Member, Town
from evaluations.assessments.models import AssessmentRound
from evaluations.reviews.models import HelpAssignment, ReviewRound
from reports.bulletins.models import Bulletin
from twinning.committees.models import JointCommittee
from twinning.committees.services import committee_create
from twinning.monthly.models import MonthlyAttachment, MonthlyUpdate, ReopenRequest
from twinning.monthly.rules import last_due_period


class TownFactory(DjangoModelFactory):
    class Meta:
        model = Town
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"测试{n}街道")
    kind = Town.Kind.SUBDISTRICT


class BranchFactory(DjangoModelFactory):
    """A residents' committee (居委会) unless told otherwise."""

    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"B{n:04d}")
    name = factory.Sequence(lambda n: f"测试{n}居委会")
    kind = Branch.Kind.RESIDENTS
    town = factory.SubFactory(TownFactory)
    secretary = factory.Sequence(lambda n: f"书记{n}")
    industries = ""
    weak = False


class ResidentsFactory(BranchFactory):
    pass


class EnterpriseFactory(BranchFactory):
    name = factory.Sequence(lambda n: f"测试{n}有限公司")
    kind = Branch.Kind.ENTERPRISE
    town = None


class DepartmentFactory(BranchFactory):
    name = factory.Sequence(lambda n: f"市测试{n}局")
    kind = Branch.Kind.DEPARTMENT
    town = None


class VillageFactory(BranchFactory):
    name = factory.Sequence(lambda n: f"测试{n}村")
    kind = Branch.Kind.VILLAGE
    industries = "蔬菜;养殖"
    weak = True


URBAN_FACTORIES = {
    Branch.Kind.RESIDENTS: ResidentsFactory,
    Branch.Kind.ENTERPRISE: EnterpriseFactory,
    Branch.Kind.DEPARTMENT: DepartmentFactory,
}


class MemberFactory(DjangoModelFactory):
    class Meta:
        model = Member

    branch = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"党员{n}")
    role = Member.Role.MEMBER
    joined_on = datetime.date(2010, 7, 1)
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class JointCommitteeFactory(DjangoModelFactory):
    """A valid committee built by `committee_create`.

    `villages` is a number of fresh villages in the committee's town, or a list of branches.
    """

    class Meta:
        model = JointCommittee

    code = factory.Sequence(lambda n: f"JC{n:03d}")
    name = factory.Sequence(lambda n: f"测试{n}联合党总支")
    town = factory.SubFactory(TownFactory)
    urban = factory.SubFactory(ResidentsFactory, town=factory.SelfAttribute("..town"))
    villages = 2
    formation = JointCommittee.Formation.ASSIGNED
    established_on = datetime.date(2024, 1, 1)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> JointCommittee:
        villages: int | Sequence[Branch] = kwargs.pop("villages")
        if isinstance(villages, int):
            villages = VillageFactory.create_batch(villages, town=kwargs["town"])
        return committee_create(villages=list(villages), **kwargs)


def make_committee(
    *,
    town: Town | None = None,
    urban_kind: str = Branch.Kind.RESIDENTS,
    villages: int = 2,
    **kwargs: Any,
) -> JointCommittee:
    """A committee in `town` (a new one if not given) led by a new urban branch of that kind."""
    town = town or TownFactory()
    urban_factory = URBAN_FACTORIES[urban_kind]
    urban_town = town if urban_kind == Branch.Kind.RESIDENTS else None
    return JointCommitteeFactory(
        town=town, urban=urban_factory(town=urban_town), villages=villages, **kwargs
    )


STAND_IN_HTML = (
    "<!doctype html><html><head><!--issue:style--><!--/issue:style--></head><body>"
    "<!--issue:head--><!--/issue:head--><p>正文</p><!--issue:foot--><!--/issue:foot-->"
    "</body></html>"
)


class BulletinFactory(DjangoModelFactory):
    """A bulletin version with small stand-in files (rendering is tested on its own)."""

    class Meta:
        model = Bulletin

    period = datetime.date(2026, 10, 1)
    version = factory.Sequence(lambda n: n + 1)
    state = Bulletin.State.READY
    pdf = factory.django.FileField(filename="bulletin.pdf", data=b"%PDF-1.4 stand-in")
    annex = factory.django.FileField(filename="annex.xlsx", data=b"PK stand-in")
    annex_rows = 1
    docx = factory.django.FileField(filename="bulletin.docx", data=b"PK stand-in")
    web = factory.django.FileField(filename="bulletin.html", data=b"<p>stand-in</p>")
    page_count = 1
    # A published version carries its serial number; a built one its HTML with the marked
    # parts publication fills in, and a checklist that lets it be published.
    serial_year = factory.LazyAttribute(lambda o: 2026 if o.state == "published" else None)
    serial_number = factory.LazyAttribute(
        lambda o: o.version if o.state == "published" else None)
    html = STAND_IN_HTML
    contents = factory.LazyFunction(
        lambda: {"cases": 1, "next_steps": True, "as_of": "2026-12-01"})
def make_publishable(period: datetime.date, committee: JointCommittee | None = None) -> None:
    """What publishing needs besides the figures: the issuing settings and, when a committee
    is given, a typical case and the next steps of the month."""
    from reports.bulletins.models import BulletinSettings, BulletinText, TypicalCase

    if not BulletinSettings.objects.exists():
        BulletinSettings.objects.create(
            heading="诸城市城乡联合党组织建设工作简报", issuing_body="中共诸城市委组织部",
            short_name="诸组通", recipients="各镇街党（工）委", copies_to="市委办公室",
            printed_by="中共诸城市委组织部办公室")
    if committee is not None:
        TypicalCase.objects.create(period=period, committee=committee, title="建筑队带富",
                                   body="联合党组织组建建筑队，吸纳剩余劳动力。")
        BulletinText.objects.update_or_create(
            period=period, defaults={"next_steps": "继续推进联建工作。"})


class MonthlyUpdateFactory(DjangoModelFactory):
    """A submitted update of the month before this one, unless told otherwise."""

    class Meta:
        model = MonthlyUpdate
        django_get_or_create = ("committee", "period")

    committee = factory.SubFactory(JointCommitteeFactory)
    period = factory.LazyFunction(lambda: last_due_period(timezone.localdate()))
    status = MonthlyUpdate.Status.SUBMITTED
    meeting_held = True
    activities = 2
    trainings = 1
    summary = "本月召开联席会议一次，开展联谊活动两次。"
    first_submitted_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.SelfAttribute("first_submitted_at")


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def monthly_records(committee: JointCommittee) -> MonthlyUpdate:
    """A submitted update of last month with a PDF attached and a pending reopen request."""
    update = MonthlyUpdateFactory(committee=committee)
    MonthlyAttachment.objects.create(
        update=update, file=ContentFile(PDF_BYTES, name="report.pdf"), name="会议记录.pdf",
        kind="pdf", size=len(PDF_BYTES),
    )
    ReopenRequest.objects.create(committee=committee, period=update.period, reason="补充材料")
    return update


def open_review_round(**kwargs: Any) -> ReviewRound:
    """A review round for the current half-year, open from today for ten days; its roster is
    fixed from the committees and members there now."""
    from evaluations.reviews.services import review_round_open

    today = timezone.localdate()
    half = ReviewRound.Half.FIRST if today.month <= 6 else ReviewRound.Half.SECOND
    values = {"year": today.year, "half": half, "opened_on": today,
              "closes_on": today + datetime.timedelta(days=10), "user": None, **kwargs}
    return review_round_open(**values)


def scored_assessment_round(**kwargs: Any) -> AssessmentRound:
    """An assessment round for the current half-year, open from today, with proposals generated
    for every committee there now."""
    from evaluations.assessments.services import assessment_generate, assessment_round_open

    today = timezone.localdate()
    half = ReviewRound.Half.FIRST if today.month <= 6 else ReviewRound.Half.SECOND
    values = {"year": today.year, "half": half, "opened_on": today,
              "closes_on": today + datetime.timedelta(days=10), "user": None, **kwargs}
    round_ = assessment_round_open(**values)
    assessment_generate(round_=round_, user=None)
    return round_


def help_case(review_round: ReviewRound, member: Member, helper: Member) -> HelpAssignment:
    """`member` rated 不合格 in the round, with `helper` assigned today."""
    from evaluations.reviews.models import MemberReview
    from evaluations.reviews.services import help_assign

    review = MemberReview.objects.get(round=review_round, member=member)
    review.rating, review.basis = MemberReview.Rating.UNQUALIFIED, "赞成票 3/20"
    review.save()
    return help_assign(review=review, helper=helper, plan="每月谈心谈话一次。",
                       assigned_on=timezone.localdate(), user=None)


# Inspections and joint meetings, made through their services like the pages make them.

def make_inspection(
    committee: JointCommittee,
    *,
    visited_on: datetime.date = datetime.date(2025, 3, 12),
    score: Decimal | None = None,
    scores: dict[int, Decimal] | None = None,
    items: Sequence[dict[str, Any]] = (),
    user: Any = None,
) -> Any:
    """An inspection scored `score` on every active criterion (capped at its maximum), or
    `scores` by criterion id, with rectification items (description, owner, due_on)."""
    from evaluations.inspections.selectors import scoring_lines
    from evaluations.inspections.services import inspection_save
    from twinning.shared.child_rows import ChildRow

    if scores is None:
        score = Decimal(18) if score is None else score
        scores = {line.criterion_id: min(score, line.max_score) for line in scoring_lines()}
    rows = [
        ChildRow(values={"description": f"整改事项{n}", "owner": "王责任",
                         "due_on": visited_on + datetime.timedelta(days=30), **item})
        for n, item in enumerate(items, start=1)
    ]
    return inspection_save(
        committee=committee, visited_on=visited_on, team="张督查、李督查",
        findings="组织生活正常开展。", scores=scores, rectifications=rows, user=user,
        today=max(visited_on, datetime.date.today()),
    )


def make_meeting(
    *,
    held_on: datetime.date = datetime.date(2025, 3, 20),
    items: Sequence[dict[str, Any]] = (),
) -> Any:
    """A joint meeting with action items (description, owner, committee, due_on)."""
    from twinning.meetings.services import meeting_save
    from twinning.shared.child_rows import ChildRow

    rows = [
        ChildRow(values={"description": f"任务{n}", "owner": "市委组织部", "committee": None,
                         "due_on": held_on + datetime.timedelta(days=30), **item})
        for n, item in enumerate(items, start=1)
    ]
    return meeting_save(
        held_on=held_on, attendees="组织部、各镇街", topics="听取督查情况汇报",
        decisions="抓好整改落实", items=rows, today=max(held_on, datetime.date.today()),
    )
