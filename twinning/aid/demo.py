"""The reference city's aid projects and mutual-help history, written for `load_demo_city`.

The plan (`twinning.aid.demo_plan`) is checked row by row with the services' own `check_*`
rules and each field's validation, then written in bulk with its audit trail. A committee that
already has any of these records is left as it is, so a second run (even months later, when
the plan's dates would differ) writes nothing.
"""

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model
from django.utils import timezone

from branches.demo import DEMO_SEED, DemoError, Tally, create_in_bulk
from branches.models import Branch, Member
from twinning.aid import models as aid
from twinning.aid import services
from twinning.aid.demo_plan import AidPlan, aid_plan
from twinning.committees.models import CommitteeVillage, JointCommittee
from twinning.shared.periods import month_end, previous_month


def _valid(obj: Model, check: Callable[[], None]) -> Model:
    """The object if its fields and the service's rules accept it (no queries needed)."""
    obj.clean_fields(exclude=[f.name for f in obj._meta.fields if f.is_relation])
    check()
    return obj


class _Writer:
    def __init__(self, plan: AidPlan, committees: dict[str, JointCommittee], skip: set[str],
                 today: datetime.date) -> None:
        self.plan, self.committees, self.skip, self.today = plan, committees, skip, today
        self.tallies: dict[str, Tally] = {}
        todo = [c for code, c in committees.items() if code not in skip]
        sides: dict[int, set[int]] = {c.pk: set() for c in todo}
        for committee_id, village_id in CommitteeVillage.objects.filter(
            committee__in=todo
        ).values_list("committee_id", "village_id"):
            sides[committee_id].add(village_id)
        self.sides = {c.pk: services.Sides(c.urban_id, frozenset(sides[c.pk])) for c in todo}
        codes = {p.funder for p in plan.projects} | {s.to_branch for s in plan.secondments}
        codes |= {s.member[0] for s in plan.secondments} | {g.village for g in plan.governance}
        self.branches = Branch.objects.in_bulk(codes, field_name="code")
        wanted = [*(s.member for s in plan.secondments),
                  *(m for p in plan.pairings for m in (p.urban, p.village))]
        self.members = {
            (code, name): Member(pk=pk, branch_id=branch_id, name=name)
            for code, name, pk, branch_id in Member.objects.filter(
                branch__code__in={code for code, _ in wanted}
            ).values_list("branch__code", "name", "pk", "branch_id")
        }

    def todo(self, rows: Iterable[Any], model: type[Model]) -> list[Any]:
        """The planned rows of committees not loaded yet; the others are tallied as there."""
        rows = list(rows)
        new = [row for row in rows if row.committee not in self.skip]
        self.tallies[str(model._meta.verbose_name)] = Tally(len(new), len(rows) - len(new))
        return new

    def projects(self) -> None:
        made: list[tuple[aid.AidProject, Any]] = []
        for spec in self.todo(self.plan.projects, aid.AidProject):
            funder = self.branches[spec.funder]
            project = aid.AidProject(
                committee=self.committees[spec.committee], title=spec.title,
                category=spec.category, funder=funder, mechanism=services.mechanism_for(funder),
                status=spec.status, started_on=spec.started_on, finished_on=spec.finished_on,
                investment_planned=spec.planned, households=spec.households,
                extra_income=spec.extra_income, area_mu=spec.area_mu,
                description=spec.description,
            )
            made.append((_valid(project, lambda p=project: services.check_project(
                p, today=self.today)), spec))
        create_in_bulk(aid.AidProject, [project for project, _ in made])
        stored = aid.AidProject.objects.filter(
            committee__in={p.committee_id for p, _ in made}
        ).values_list("committee_id", "title", "pk")
        ids = {(committee_id, title): pk for committee_id, title, pk in stored}
        reports, outputs = [], []
        for project, spec in made:
            project.pk = ids[(project.committee_id, project.title)]
            for r in spec.reports:
                report = aid.ProjectProgress(project=project, reported_on=r.day,
                                         investment=r.investment, jobs=r.jobs, note=r.note)
                reports.append(_valid(report, lambda x=report, p=project: services.check_progress(
                    x, project=p, today=self.today)))
            for o in spec.outputs:
                output = aid.InfrastructureOutput(project=project, kind=o.kind, quantity=o.quantity,
                                              completed_on=o.day, note=o.note)
                outputs.append(_valid(output, lambda x=output, p=project: services.check_output(
                    x, project=p, today=self.today)))
        self.tallies[str(aid.ProjectProgress._meta.verbose_name)] = self._children(
            reports, "reports")
        self.tallies[str(aid.InfrastructureOutput._meta.verbose_name)] = self._children(
            outputs, "outputs")
        create_in_bulk(aid.ProjectProgress, reports)
        create_in_bulk(aid.InfrastructureOutput, outputs)

    def _children(self, objs: list[Model], name: str) -> Tally:
        there = sum(len(getattr(p, name)) for p in self.plan.projects if p.committee in self.skip)
        return Tally(len(objs), there)

    def mutual_help(self) -> None:
        today, committees = self.today, self.committees
        secondments = []
        for s in self.todo(self.plan.secondments, aid.Secondment):
            member, committee = self.members[s.member], committees[s.committee]
            row = aid.Secondment(committee=committee, member=member, name=member.name,
                             from_branch=self.branches[s.member[0]],
                             to_branch=self.branches[s.to_branch], position=s.position,
                             started_on=s.started_on, ended_on=s.ended_on)
            secondments.append(_valid(row, lambda r=row, c=committee: services.check_secondment(
                r, sides=self.sides[c.pk], today=today)))
        pairings = []
        for p in self.todo(self.plan.pairings, aid.MemberPairing):
            committee = committees[p.committee]
            row = aid.MemberPairing(committee=committee, urban_member=self.members[p.urban],
                                village_member=self.members[p.village], since=p.since,
                                until=p.until, help=p.help)
            pairings.append(_valid(row, lambda r=row, c=committee: services.check_pairing(
                r, sides=self.sides[c.pk], today=today)))
        activities = [
            _valid(row, lambda r=row: services.check_activity(r, today=today))
            for a in self.todo(self.plan.activities, aid.HelpActivity)
            for row in [aid.HelpActivity(committee=committees[a.committee], kind=a.kind,
                                     held_on=a.day, count=a.count, title=a.title)]
        ]
        issues = [
            _valid(row, lambda r=row: services.check_hot_issue(r, today=today))
            for h in self.todo(self.plan.hot_issues, aid.HotIssue)
            for row in [aid.HotIssue(committee=committees[h.committee], year=h.year, title=h.title,
                                 status=h.status, solved_on=h.solved_on)]
        ]
        governance = [
            _valid(row, lambda r=row: services.check_governance(
                r, sides=self.sides[r.committee.pk], today=today))
            for g in self.todo(self.plan.governance, aid.GovernanceRecord)
            for row in [aid.GovernanceRecord(committee=committees[g.committee],
                                         village=self.branches[g.village], kind=g.kind,
                                         count=g.count, done_on=g.day, note=g.note)]
        ]
        for model, objs in ((aid.Secondment, secondments), (aid.MemberPairing, pairings),
                            (aid.HelpActivity, activities), (aid.HotIssue, issues),
                            (aid.GovernanceRecord, governance)):
            create_in_bulk(model, objs)


def load(seed: int = DEMO_SEED) -> dict[str, Tally]:
    """Write the aid and mutual-help history of the committees that have none yet."""
    today = timezone.localdate()
    plan = aid_plan(seed, month_end(previous_month(today)))
    codes = {row.committee for rows in plan.kinds().values() for row in rows}
    committees = JointCommittee.objects.in_bulk(codes, field_name="code")
    missing = sorted(codes - committees.keys())
    if missing:
        raise DemoError(
            f"缺少 {len(missing)} 个联合党组织（如 {missing[0]}），请先载入演示城市的联合党组织。"
        )
    skip: set[str] = set()
    for model in plan.kinds():
        skip |= set(model.objects.filter(committee__code__in=codes)
                    .values_list("committee__code", flat=True).distinct())
    writer = _Writer(plan, committees, skip, today)
    writer.projects()
    writer.mutual_help()
    return writer.tallies
