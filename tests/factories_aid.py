"""Factories for aid projects and mutual-help records; every one goes through its service."""

import datetime
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from branches.models import Member
from tests.factories import JointCommitteeFactory, MemberFactory
from twinning.aid import services as aid_services
from twinning.aid.models import (
    AidProject,
    GovernanceRecord,
    HelpActivity,
    HotIssue,
    InfrastructureOutput,
    MemberPairing,
    OutputKind,
    ProjectProgress,
    Secondment,
)


def first_village(committee: Any) -> Any:
    return committee.memberships.order_by("pk").first().village


SERVICES = {
    AidProject: aid_services.project_save,
    ProjectProgress: aid_services.progress_save,
    InfrastructureOutput: aid_services.output_save,
    Secondment: aid_services.secondment_save,
    MemberPairing: aid_services.pairing_save,
    HelpActivity: aid_services.activity_save,
    HotIssue: aid_services.hot_issue_save,
    GovernanceRecord: aid_services.governance_save,
}


class _ServiceFactory(DjangoModelFactory):
    """Creates through the model's save service, with the factory's fields as its keywords."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        return SERVICES[model_class](**kwargs)


class AidProjectFactory(_ServiceFactory):
    """An active industry project the committee's own urban branch funds."""

    class Meta:
        model = AidProject

    committee = factory.SubFactory(JointCommitteeFactory)
    title = factory.Sequence(lambda n: f"测试项目{n}")
    category = AidProject.Category.INDUSTRY
    funder = factory.SelfAttribute("committee.urban")
    status = AidProject.Status.ACTIVE
    started_on = datetime.date(2024, 3, 1)
    finished_on = None
    investment_planned = Decimal("100000")
    households = 10
    extra_income = Decimal("0")
    area_mu = None


class ProgressFactory(_ServiceFactory):
    class Meta:
        model = ProjectProgress

    project = factory.SubFactory(AidProjectFactory)
    reported_on = datetime.date(2024, 4, 15)
    investment = Decimal("50000")
    jobs = 5


class OutputFactory(_ServiceFactory):
    class Meta:
        model = InfrastructureOutput

    project = factory.SubFactory(AidProjectFactory,
                                 category=AidProject.Category.INFRASTRUCTURE)
    kind = OutputKind.STREET_LAMPS
    quantity = Decimal("10")
    completed_on = datetime.date(2024, 5, 1)


class SecondmentFactory(_ServiceFactory):
    """The urban branch sends a cadre (by name only) to the committee's first village."""

    class Meta:
        model = Secondment

    committee = factory.SubFactory(JointCommitteeFactory)
    member = None
    name = factory.Sequence(lambda n: f"挂职干部{n}")
    from_branch = factory.SelfAttribute("committee.urban")
    to_branch = factory.LazyAttribute(lambda o: first_village(o.committee))
    position = "第一书记"
    started_on = datetime.date(2024, 3, 1)
    ended_on = None


def _member_of(branch_attr: str) -> factory.LazyAttribute:
    def make(o: Any) -> Member:
        branch = (o.committee.urban if branch_attr == "urban" else first_village(o.committee))
        return MemberFactory(branch=branch)

    return factory.LazyAttribute(make)


class PairingFactory(_ServiceFactory):
    class Meta:
        model = MemberPairing

    committee = factory.SubFactory(JointCommitteeFactory)
    urban_member = _member_of("urban")
    village_member = _member_of("village")
    since = datetime.date(2024, 3, 1)
    until = None
    help = "产业发展指导"


class ActivityFactory(_ServiceFactory):
    class Meta:
        model = HelpActivity

    committee = factory.SubFactory(JointCommitteeFactory)
    kind = HelpActivity.Kind.TRAINING
    held_on = datetime.date(2024, 5, 10)
    count = 30
    title = factory.Sequence(lambda n: f"活动{n}")


class HotIssueFactory(_ServiceFactory):
    class Meta:
        model = HotIssue

    committee = factory.SubFactory(JointCommitteeFactory)
    year = 2024
    title = factory.Sequence(lambda n: f"热点问题{n}")
    status = HotIssue.Status.OPEN
    solved_on = None


class GovernanceFactory(_ServiceFactory):
    class Meta:
        model = GovernanceRecord

    committee = factory.SubFactory(JointCommitteeFactory)
    village = factory.LazyAttribute(lambda o: first_village(o.committee))
    kind = GovernanceRecord.Kind.RULES
    count = 3
    done_on = datetime.date(2024, 6, 1)
