"""A synthetic city N times the reference city, with five years of history, for the benchmarks.

N=1 is about the demo city's size (15 towns, 941 villages, 163 joint committees, 10,000 members);
N=10 is about 1,630 committees, 9,400 villages and 100,000 members. On top of the register it
writes the history the pages and the bulletin read: a monthly update from every committee for
each of the last 60 months (the last one still being filed), inspections with their scores and
rectifications, aid projects with quarterly progress reports and infrastructure outputs,
secondments, member pairings, help activities, hot issues, governance records, the city's
monthly joint meetings with their action items, and one democratic review round with help for
the members rated unqualified.

This is benchmark data, not demo data: rows are written with `bulk_create` straight through the
models, deterministic from a seed, with no history (audit) rows and no per-row validation — the
demo city (`load_demo_city`) goes through the services one row at a time and would take hours at
this size. `build()` is used by scripts/bench_bulletin.py and scripts/bench_pages.py, and by a test
that builds a tiny city (N=0.02) so the generator cannot rot silently.

Usage on its own: python scripts/synthetic_city.py N   (into the database the settings point at)
"""

import datetime
import itertools
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# The reference city (DESIGN §1, the demo city) at N=1.
TOWNS = 15
VILLAGES = 941
COMMITTEES = 163
MEMBERS = 10_000
# 54 village–residents, 58 village–enterprise, 51 department–village committees in 163.
FORM_CYCLE = ("residents",) * 54 + ("enterprise",) * 58 + ("department",) * 51
VILLAGES_PER_COMMITTEE = (2, 2, 2, 3, 4)
HISTORY_MONTHS = 60
INSPECTED_SHARE = 0.4  # of committee-months
RECTIFIED_SHARE = 0.3  # of inspections
ACTIVITY_EVERY_MONTHS = 2
BATCH = 5_000
SEED = 7


def scaled(reference: int, scale: float) -> int:
    return max(1, round(reference * scale))


def _batches(rows: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _write(model: type, rows: Iterable[Any], counts: dict[str, int],
           then: Callable[[list[Any]], None] | None = None) -> None:
    """bulk_create in batches; `then` sees each written batch (with primary keys)."""
    for batch in _batches(rows):
        model.objects.bulk_create(batch, batch_size=BATCH)
        counts[model._meta.model_name] = counts.get(model._meta.model_name, 0) + len(batch)
        if then:
            then(batch)


def build(scale: float, *, today: datetime.date | None = None, seed: int = SEED) -> dict[str, int]:
    """Write the city into the current database; returns the rows written, by model name.

    Expects an empty programme (codes start with "S" and would collide with a second run).
    """
    from django.db import transaction
    from django.utils import timezone

    today = today or timezone.localdate()
    with transaction.atomic():
        return _City(scale, today, random.Random(seed)).build()


class _City:
    def __init__(self, scale: float, today: datetime.date, rng: random.Random) -> None:
        from twinning.shared.periods import add_months, month_start

        self.scale, self.today, self.rng = scale, today, rng
        self.current = month_start(today)
        self.months = [add_months(self.current, -k) for k in range(HISTORY_MONTHS, 0, -1)]
        self.counts: dict[str, int] = {}
        self.members: dict[int, list[int]] = {}  # branch id → member ids, officers first

    def build(self) -> dict[str, int]:
        self._register()
        self._monthly()
        self._inspections()
        self._aid()
        self._mutual_help()
        self._meetings()
        self._review()
        return self.counts

    # The register: towns, branches, members, committees and their villages.
    def _register(self) -> None:
        from branches.models import Branch, Member, Town
        from twinning.committees.models import CommitteeVillage, JointCommittee

        rng, scale = self.rng, self.scale
        towns = [Town(code=f"S{n:04d}", name=f"合成{n}镇", kind=Town.Kind.TOWN)
                 for n in range(scaled(TOWNS, scale))]
        _write(Town, towns, self.counts)
        villages = [
            Branch(code=f"SV{n:06d}", name=f"合成{n}村", kind=Branch.Kind.VILLAGE,
                   town=towns[n % len(towns)], secretary=f"村书记{n}",
                   industries="蔬菜种植;劳务输出", weak=rng.random() < 0.47)
            for n in range(scaled(VILLAGES, scale))
        ]
        _write(Branch, villages, self.counts)
        pools = {town.pk: [v for v in villages if v.town_id == town.pk] for town in towns}
        kinds = {"residents": Branch.Kind.RESIDENTS, "enterprise": Branch.Kind.ENTERPRISE,
                 "department": Branch.Kind.DEPARTMENT}
        plan = []
        for n in range(scaled(COMMITTEES, scale)):
            kind = kinds[FORM_CYCLE[n % len(FORM_CYCLE)]]
            town = towns[n % len(towns)]
            urban = Branch(code=f"SU{n:06d}", name=f"合成{n}{kind.label}", kind=kind,
                           town=None if kind == Branch.Kind.DEPARTMENT else town,
                           secretary=f"书记{n}", industries="商贸")
            joined = [pools[town.pk].pop() for _ in range(rng.choice(VILLAGES_PER_COMMITTEE))
                      if len(pools[town.pk]) > 0]
            plan.append((n, town, urban, joined))
        _write(Branch, [urban for _, _, urban, _ in plan], self.counts)
        branches = villages + [urban for _, _, urban, _ in plan]
        self.committees = []
        for n, town, urban, _joined in plan:
            established = datetime.date(2019, 3, 1) + datetime.timedelta(days=rng.randrange(900))
            self.committees.append(JointCommittee(
                code=f"SJ{n:06d}", name=f"合成{n}联合党总支", urban=urban,
                form=JointCommittee.FORM_BY_URBAN_KIND[urban.kind],
                formation=rng.choice(JointCommittee.Formation.values), town=town,
                established_on=established))
        _write(JointCommittee, self.committees, self.counts)
        self.villages_of = {c.pk: joined for c, (_, _, _, joined)
                            in zip(self.committees, plan, strict=True)}
        _write(CommitteeVillage, (
            CommitteeVillage(committee=c, village=v, joined_on=c.established_on)
            for c in self.committees for v in self.villages_of[c.pk]
        ), self.counts)

        roles = (Member.Role.SECRETARY, Member.Role.DEPUTY, Member.Role.COMMITTEE)

        def members() -> Iterator[Member]:
            for n in range(scaled(MEMBERS, scale)):
                branch = branches[n % len(branches)]
                position = n // len(branches)
                yield Member(
                    branch=branch, name=f"党员{n:06d}",
                    role=roles[position] if position < len(roles) else Member.Role.MEMBER,
                    joined_on=datetime.date(1975, 1, 1)
                    + datetime.timedelta(days=rng.randrange(17000)),
                    phone=f"139{n:08d}")

        def remember(batch: list[Member]) -> None:
            for member in batch:
                self.members.setdefault(member.branch_id, []).append(member.pk)

        _write(Member, members(), self.counts, then=remember)

    def _monthly(self) -> None:
        from twinning.monthly.models import MonthlyUpdate
        from twinning.monthly.rules import deadline

        rng, Status = self.rng, MonthlyUpdate.Status
        last = self.months[-1]

        def updates() -> Iterator[MonthlyUpdate]:
            for committee in self.committees:
                for period in self.months:
                    due = deadline(period)
                    if period == last and due >= self.today:
                        status = rng.choice((Status.SUBMITTED, Status.SUBMITTED, Status.DRAFT,
                                             Status.RETURNED, None))
                    else:
                        status = rng.choice((Status.ACCEPTED,) * 18 + (Status.SUBMITTED, None))
                    if status is None:
                        continue  # never filed
                    filed = status != Status.DRAFT
                    late = filed and rng.random() < 0.1
                    day = due + datetime.timedelta(days=rng.randint(1, 8) if late
                                                   else -rng.randint(0, 4))
                    moment = _moment(min(day, self.today)) if filed else None
                    yield MonthlyUpdate(
                        committee=committee, period=period, status=status,
                        meeting_held=rng.random() < 0.9,
                        activities=rng.randint(0, 4), trainings=rng.randint(0, 2),
                        secondments=rng.randint(0, 2), pairings=rng.randint(0, 6),
                        problems_solved=rng.randint(0, 5),
                        investment_yuan=Decimal(rng.randrange(0, 500)) * 100,
                        jobs_created=rng.randint(0, 6), summary="本月开展联建活动，推进帮扶项目。",
                        first_submitted_at=moment, submitted_at=moment,
                        reviewed_at=moment if status == Status.ACCEPTED else None,
                        return_reason="数据不完整，请补充。" if status == Status.RETURNED else "")

        _write(MonthlyUpdate, updates(), self.counts)

    def _inspections(self) -> None:
        from evaluations.inspections.models import (
            Inspection,
            InspectionCriterion,
            InspectionScore,
            Rectification,
        )

        rng = self.rng
        criteria = list(InspectionCriterion.objects.filter(active=True))

        def inspections() -> Iterator[Inspection]:
            for committee in self.committees:
                for period in self.months + [self.current]:
                    visited = period + datetime.timedelta(days=rng.randint(9, 24))
                    if visited > self.today or rng.random() > INSPECTED_SHARE:
                        continue
                    inspection = Inspection(
                        committee=committee, period=period, visited_on=visited,
                        team="张伟、李娜", findings="台账齐全，活动开展正常。",
                        max_total=sum(c.max_score for c in criteria))
                    inspection.marks = [
                        Decimal(rng.randint(int(c.max_score) * 6, int(c.max_score) * 10)) / 10
                        for c in criteria]
                    inspection.total = sum(inspection.marks)
                    yield inspection

        def details(batch: list[Inspection]) -> None:
            _write(InspectionScore, (
                InspectionScore(inspection=i, criterion=c, criterion_name=c.name,
                                max_score=c.max_score, order=c.order, score=mark)
                for i in batch for c, mark in zip(criteria, i.marks, strict=True)
            ), self.counts)
            _write(Rectification, (
                self._rectification(i) for i in batch if rng.random() < RECTIFIED_SHARE
            ), self.counts)

        _write(Inspection, inspections(), self.counts, then=details)

    def _rectification(self, inspection: Any) -> Any:
        from evaluations.inspections.models import Rectification

        due = inspection.visited_on + datetime.timedelta(days=self.rng.choice((15, 30, 45)))
        closed = due + datetime.timedelta(days=self.rng.randint(-10, 5))
        done = closed <= self.today and self.rng.random() < 0.85
        return Rectification(
            inspection=inspection, committee_id=inspection.committee_id,
            description="活动记录不完整，限期补齐台账", owner="联合党组织书记", due_on=due,
            status=Rectification.Status.CLOSED if done else Rectification.Status.OPEN,
            evidence="已补齐台账" if done else "",
            submitted_on=max(closed, inspection.visited_on) if done else None,
            closed_on=max(closed, inspection.visited_on) if done else None)

    def _aid(self) -> None:
        from twinning.aid.models import (
            MECHANISM_BY_FUNDER_KIND,
            AidProject,
            InfrastructureOutput,
            OutputKind,
            ProjectProgress,
        )

        rng, Category, Status = self.rng, AidProject.Category, AidProject.Status

        def projects() -> Iterator[AidProject]:
            for committee in self.committees:
                for year in range(5):
                    started = self.months[year * 12] + datetime.timedelta(days=rng.randint(0, 300))
                    finished = started + datetime.timedelta(days=rng.randint(90, 540))
                    done = finished < self.today
                    yield AidProject(
                        committee=committee, title=f"{committee.code}帮扶项目{year + 1}",
                        category=rng.choice(Category.values), funder=committee.urban,
                        mechanism=MECHANISM_BY_FUNDER_KIND[committee.urban.kind],
                        status=Status.DONE if done else Status.ACTIVE, started_on=started,
                        finished_on=finished if done else None,
                        investment_planned=Decimal(rng.randrange(10, 500)) * 10_000,
                        households=rng.randint(10, 200),
                        extra_income=Decimal(rng.randrange(1, 100)) * 1_000)

        def details(batch: list[AidProject]) -> None:
            def reports() -> Iterator[ProjectProgress]:
                for project in batch:
                    end = project.finished_on or self.today
                    day = project.started_on + datetime.timedelta(days=30)
                    while day <= end:
                        yield ProjectProgress(
                            project=project, reported_on=day,
                            investment=Decimal(rng.randrange(1, 300)) * 1_000,
                            jobs=rng.randint(0, 8))
                        day += datetime.timedelta(days=91)

            _write(ProjectProgress, reports(), self.counts)
            _write(InfrastructureOutput, (
                InfrastructureOutput(project=p, kind=rng.choice(OutputKind.values),
                                     quantity=Decimal(rng.randint(1, 50)),
                                     completed_on=p.finished_on)
                for p in batch if p.category == Category.INFRASTRUCTURE and p.finished_on
            ), self.counts)

        _write(AidProject, projects(), self.counts, then=details)

    def _mutual_help(self) -> None:
        from twinning.aid.models import (
            GovernanceRecord,
            HelpActivity,
            HotIssue,
            MemberPairing,
            Secondment,
        )

        rng = self.rng
        pairs = [(c, v) for c in self.committees for v in self.villages_of[c.pk][:1]]
        _write(Secondment, (
            Secondment(committee=c, name=f"挂职干部{c.pk}-{year}", from_branch=c.urban,
                       to_branch=v, position="村党组织副书记",
                       started_on=self.months[year * 12],
                       ended_on=self.months[year * 12 + 11] if year < 4 else None)
            for c, v in pairs for year in range(5)
        ), self.counts)
        _write(MemberPairing, (
            MemberPairing(committee=c, urban_member_id=urban, village_member_id=village,
                          since=self.months[rng.randrange(HISTORY_MONTHS)], help="产业发展指导")
            for c, v in pairs
            for urban, village in zip(self.members.get(c.urban_id, [])[:3],
                                      self.members.get(v.pk, [])[:3], strict=False)
        ), self.counts)
        _write(HelpActivity, (
            HelpActivity(committee=c, kind=rng.choice(HelpActivity.Kind.values),
                         held_on=period + datetime.timedelta(days=rng.randint(0, 27)),
                         count=rng.randint(5, 60), title="联谊座谈会")
            for c in self.committees for period in self.months[::ACTIVITY_EVERY_MONTHS]
        ), self.counts)

        def issues() -> Iterator[HotIssue]:
            for c in self.committees:
                for year in range(self.months[0].year, self.today.year + 1):
                    for title in ("村内道路硬化", "饮水安全"):
                        solved = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
                        done = solved <= self.today and rng.random() < 0.8
                        yield HotIssue(
                            committee=c, year=year, title=title,
                            status=HotIssue.Status.SOLVED if done else HotIssue.Status.IN_PROGRESS,
                            solved_on=solved if done else None)

        _write(HotIssue, issues(), self.counts)
        _write(GovernanceRecord, (
            GovernanceRecord(committee=c, village=v, kind=kind, count=1 if kind == "team_adjusted"
                             else rng.randint(1, 5),
                             done_on=self.months[rng.randrange(HISTORY_MONTHS)])
            for c, v in pairs for kind in GovernanceRecord.Kind.values
        ), self.counts)

    def _meetings(self) -> None:
        from twinning.meetings.models import ActionItem, JointMeeting

        rng = self.rng
        meetings = [JointMeeting(held_on=period + datetime.timedelta(days=14), period=period,
                                 attendees="组织部、各镇街党(工)委", topics="通报上月工作",
                                 decisions="推进帮扶项目") for period in self.months]

        def items(batch: list[JointMeeting]) -> None:
            def rows() -> Iterator[ActionItem]:
                for meeting in batch:
                    for _ in range(3):
                        due = meeting.held_on + datetime.timedelta(days=rng.choice((14, 30, 45)))
                        done = due < self.today and rng.random() < 0.9
                        yield ActionItem(
                            meeting=meeting, description="督促报送月度工作报告", owner="组织部",
                            committee=rng.choice(self.committees), due_on=due,
                            status=ActionItem.Status.DONE if done else ActionItem.Status.OPEN,
                            done_on=due if done else None)

            _write(ActionItem, rows(), self.counts)

        _write(JointMeeting, meetings, self.counts, then=items)

    def _review(self) -> None:
        from evaluations.reviews.models import HelpAssignment, MemberReview, ReviewRound

        rng, Rating = self.rng, MemberReview.Rating
        year, half = ((self.today.year, ReviewRound.Half.FIRST) if self.today.month > 6
                      else (self.today.year - 1, ReviewRound.Half.SECOND))
        opened = datetime.date(year, 6 if half == ReviewRound.Half.FIRST else 12, 1)
        review_round = ReviewRound(year=year, half=half, opened_on=opened,
                                   closes_on=opened + datetime.timedelta(days=29))
        _write(ReviewRound, [review_round], self.counts)
        entered = _moment(review_round.closes_on)

        def reviews() -> Iterator[MemberReview]:
            for c in self.committees:
                for branch in [c.urban, *self.villages_of[c.pk]]:
                    for member in self.members.get(branch.pk, []):
                        rating = rng.choices(Rating.values, weights=(20, 74, 5, 1))[0]
                        review = MemberReview(round=review_round, member_id=member, committee=c,
                                              rating=rating, basis="赞成票 25/28",
                                              entered_at=entered)
                        officers = self.members[branch.pk][:2]
                        review.helper = officers[1] if officers[0] == member else officers[0]
                        yield review

        def helped(batch: list[MemberReview]) -> None:
            _write(HelpAssignment, (
                HelpAssignment(review=r, helper_id=r.helper, plan="每月谈心谈话一次",
                               assigned_on=review_round.closes_on,
                               last_follow_up_on=review_round.closes_on)
                for r in batch if r.rating == Rating.UNQUALIFIED
            ), self.counts)

        _write(MemberReview, reviews(), self.counts, then=helped)


def postgres_database(url: str, *, create: bool) -> None:
    """Drop the database `url` names, then create it afresh if `create`."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')


def bench_environment(database_url: str, scratch: Path) -> dict[str, str]:
    """Production settings (DEBUG off, a throwaway key) on the scratch database."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DEBUG", "SQLITE_PATH", "REDIS_URL", "HTTPS", "ALLOW_DEV_SECRET_KEY")}
    env.update(DJANGO_SETTINGS_MODULE="twinning.settings", DATABASE_URL=database_url,
               SECRET_KEY="bench-only-not-secret-" + "x" * 40, LOG_LEVEL="WARNING",
               MEDIA_ROOT=str(scratch / "media"), STATIC_ROOT=str(scratch / "static"),
               IMPORT_TEMP_DIR=str(scratch / "imports"), ALLOWED_HOSTS="127.0.0.1")
    return env


def prepare(database_url: str, scale: float, env: dict[str, str]) -> float:
    """Recreate the scratch PostgreSQL database, migrate it and build the city in it.

    Each in a fresh process, so the benchmark's own process starts clean. Returns the seconds
    the generation took.
    """
    postgres_database(database_url, create=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                   check=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, str(scale)], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _moment(day: datetime.date) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twinning.settings")
    import django

    django.setup()
    started = time.perf_counter()
    counts = build(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum would soon do: planner statistics and a visibility map for the rows
        # just loaded, so that the benchmarks measure a settled database, not a fresh load.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    for name, rows in counts.items():
        print(f"{name:<24}{rows:>9}")
    print(f"{'all rows':<24}{sum(counts.values()):>9}  in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
