"""The demo city's democratic reviews (民主评议党员) and help for the unqualified.

Two rounds, both closed: the two most recent half-years that have ended by today (run in the
second half of 2026, that is 2025 下半年 and 2026 上半年; run in its first half, 2025's two
halves: a half-year that has not ended cannot have a closed round). Every member on the
roster is rated — about 30% 优秀 (never more than a third of a committee), 3% 基本合格, 0.3%
不合格, the rest 合格, officers more often 优秀 — with votes as the basis. Each 不合格 gets a
helper, a plan and monthly follow-ups, except two in the latest round (so the flag shows);
two more in it have gone quiet (stale). The older round's cases are mostly closed, and its
unqualified members are rated 合格 or 基本合格 the next time.

Ratings are drawn from the seed per committee and member name, so they do not depend on
database ids. A round already there (by year and half) is left as it is, rows and all, so a
second run writes nothing.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from branches.demo import DEMO_SEED, Tally, create_in_bulk
from branches.models import Member
from evaluations.reviews.models import HelpAssignment, HelpFollowUp, MemberReview, ReviewRound
from evaluations.reviews.services import half_end, roster_committees
from twinning.committees.models import JointCommittee

Rating = MemberReview.Rating
Half = ReviewRound.Half
OFFICERS = (Member.Role.SECRETARY, Member.Role.DEPUTY, Member.Role.COMMITTEE)
# Chance of each rating, for officers and for ordinary members.
ODDS = {
    "officer": ((Rating.EXCELLENT, 0.55), (Rating.BASIC, 0.01)),
    "member": ((Rating.EXCELLENT, 0.28), (Rating.BASIC, 0.035), (Rating.UNQUALIFIED, 0.003)),
}
BASIC_REASONS = ("参加组织生活次数偏少", "学习教育不够经常", "发挥作用不够明显",
                 "党员活动日参加不够积极", "联系群众不够紧密")
UNQUALIFIED_REASONS = (
    "长期无故不参加组织生活", "连续6个月未交纳党费，经教育仍未改正",
    "理想信念淡薄，在群众中造成不良影响", "不履行党员义务，经批评教育仍无明显转变",
)
FOLLOW_UP_NOTES = (
    "谈心谈话一次，了解思想状况，讲清党员义务。",
    "督促参加本月主题党日活动，已按时参加。",
    "一起学习党章和相关规定，本人表示愿意改正。",
    "走访了解家庭和工作情况，帮助解决实际困难。",
    "本月组织生活按时参加，已补交党费。",
    "在村级事务中安排其承担志愿服务，表现较好。",
)
OUTCOMES = (
    "经帮促思想认识明显提高，能按时参加组织生活、交纳党费，表现合格，帮促结束。",
    "经帮促已转化，在村级志愿服务中发挥作用，党员大会认为表现合格。",
)
UNASSIGNED_IN_LATEST = 2
STALE_IN_LATEST = 2
STILL_OPEN_IN_OLDER = 2


def demo_halves(today: datetime.date) -> list[tuple[int, str]]:
    """The two most recent half-years that have ended by `today`, older first."""
    if today.month >= 7:
        return [(today.year - 1, Half.SECOND), (today.year, Half.FIRST)]
    return [(today.year - 1, Half.FIRST), (today.year - 1, Half.SECOND)]


@dataclass(frozen=True)
class Person:
    member_id: int
    committee_id: int
    committee_code: str
    branch_code: str
    name: str
    role: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.branch_code, self.name)


def _roster() -> dict[str, list[Person]]:
    """Each committee's roster, by committee code, in a database-independent order."""
    reviewed_by = roster_committees()
    codes = dict(JointCommittee.objects.values_list("pk", "code"))
    members = Member.objects.filter(pk__in=reviewed_by).values_list(
        "pk", "name", "role", "branch__code"
    )
    by_committee: dict[str, list[Person]] = {}
    for pk, name, role, branch_code in members:
        committee = reviewed_by[pk]
        by_committee.setdefault(codes[committee], []).append(
            Person(pk, committee, codes[committee], branch_code, name, role)
        )
    for people in by_committee.values():
        people.sort(key=lambda p: p.key)
    return dict(sorted(by_committee.items()))


def _draw(rng: random.Random, person: Person) -> str:
    roll = rng.random()
    for rating, chance in ODDS["officer" if person.role in OFFICERS else "member"]:
        if roll < chance:
            return rating
        roll -= chance
    return Rating.QUALIFIED


def _votes(rng: random.Random, rating: str, voters: int) -> str:
    low, high = {Rating.EXCELLENT: (0.85, 1.0), Rating.QUALIFIED: (0.6, 1.0),
                 Rating.BASIC: (0.4, 0.65), Rating.UNQUALIFIED: (0.1, 0.4)}[rating]
    votes = max(0, min(voters, round(voters * rng.uniform(low, high))))
    text = f"赞成票 {votes}/{voters}"
    if rating == Rating.BASIC:
        text += f"；{rng.choice(BASIC_REASONS)}"
    elif rating == Rating.UNQUALIFIED:
        text += f"；{rng.choice(UNQUALIFIED_REASONS)}"
    return text


def _ratings(
    seed: int, label: str, people: list[Person], helped_before: set[tuple[str, str]]
) -> dict[Person, tuple[str, str]]:
    """One committee's ratings in one round: drawn, then 优秀 capped at a third at random;
    the votes are those of the member's own branch meeting."""
    rng = random.Random(f"{seed}:reviews:{label}:{people[0].committee_code}")
    ratings = {p: _draw(rng, p) for p in people}
    for p in people:
        if p.key in helped_before:
            # Helped after the last round: most have turned the corner.
            ratings[p] = Rating.BASIC if rng.random() < 0.25 else Rating.QUALIFIED
    excellent = [p for p in people if ratings[p] == Rating.EXCELLENT]
    for p in rng.sample(excellent, max(0, len(excellent) - len(people) // 3)):
        ratings[p] = Rating.QUALIFIED
    branch_sizes = Counter(p.branch_code for p in people)
    voters = {code: size - rng.randint(0, min(3, size - 1))
              for code, size in sorted(branch_sizes.items())}
    return {p: (r, _votes(rng, r, voters[p.branch_code])) for p, r in ratings.items()}


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _helper(rng: random.Random, person: Person, people: list[Person],
            rated: dict[Person, tuple[str, str]]) -> Person:
    """An officer of the member's own branch if there is one, else of the committee."""
    able = [p for p in people if p != person and rated[p][0] != Rating.UNQUALIFIED]
    officers = [p for p in able if p.role in OFFICERS]
    own = [p for p in officers if p.branch_code == person.branch_code]
    return rng.choice(own or officers or able)


@dataclass
class _Writes:
    reviews: int = 0
    assignments: int = 0
    follow_ups: int = 0


def _load_round(
    seed: int, year: int, half: str, roster: dict[str, list[Person]],
    helped_before: set[tuple[str, str]], latest: bool, today: datetime.date, writes: _Writes,
) -> set[tuple[str, str]]:
    """Create one closed round with its ratings and help cases; returns who was unqualified."""
    closes_on = half_end(year, half)
    opened_on = closes_on.replace(day=1)
    review_round = ReviewRound(year=year, half=half, opened_on=opened_on, closes_on=closes_on,
                               closed_at=_at(closes_on, 17, 30))
    create_in_bulk(ReviewRound, [review_round])
    label = f"{year}{half}"
    rows: list[MemberReview] = []
    cases: list[tuple[Person, list[Person], dict]] = []
    for people in roster.values():
        rated = _ratings(seed, label, people, helped_before)
        rng = random.Random(f"{seed}:entered:{label}:{people[0].committee_code}")
        entered_at = _at(opened_on + datetime.timedelta(days=rng.randint(5, 27)),
                         rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
        for p in people:
            rating, basis = rated[p]
            rows.append(MemberReview(round=review_round, member_id=p.member_id,
                                     committee_id=p.committee_id, rating=rating, basis=basis,
                                     entered_at=entered_at))
            if rating == Rating.UNQUALIFIED:
                cases.append((p, people, rated))
    create_in_bulk(MemberReview, rows)
    writes.reviews += len(rows)
    review_ids = {row.member_id: row.pk for row in rows}
    _load_help(seed, label, review_ids, cases, closes_on, latest, today, writes)
    return {p.key for p, _, _ in cases}


def _follow_up_days(rng: random.Random, start: datetime.date, stop: datetime.date,
                    ) -> list[datetime.date]:
    days, day = [], start + datetime.timedelta(days=rng.randint(7, 14))
    while day <= stop:
        days.append(day)
        day += datetime.timedelta(days=rng.randint(20, 28))
    return days


def _load_help(
    seed: int, label: str, review_ids: dict[int, int], cases: list, closes_on: datetime.date,
    latest: bool, today: datetime.date, writes: _Writes,
) -> None:
    unassigned = UNASSIGNED_IN_LATEST if latest else 0
    assignments: list[HelpAssignment] = []
    notes: list[tuple[HelpAssignment, list[datetime.date], int]] = []
    for index, (person, people, rated) in enumerate(cases[: len(cases) - unassigned]):
        rng = random.Random(f"{seed}:help:{label}:{person.branch_code}:{person.name}")
        helper = _helper(rng, person, people, rated)
        assigned_on = min(closes_on + datetime.timedelta(days=rng.randint(3, 10)), today)
        stale = latest and index < STALE_IN_LATEST
        still_open = latest or index < STILL_OPEN_IN_OLDER
        stop = today - datetime.timedelta(days=45) if stale else today
        days = _follow_up_days(rng, assigned_on, stop)
        if not still_open:
            days = days[: rng.randint(3, 5)]
        assignment = HelpAssignment(
            review_id=review_ids[person.member_id], helper_id=helper.member_id,
            plan=(f"由{helper.name}与{person.name}结对帮促：每月至少谈心谈话一次，督促按时参加"
                  "组织生活和主题党日活动、按时交纳党费，帮助解决生产生活中的实际困难，"
                  "半年内达到合格党员标准。"),
            assigned_on=assigned_on, last_follow_up_on=days[-1] if days else None,
        )
        if not still_open:
            assignment.status = HelpAssignment.Status.CLOSED
            assignment.closed_on = (days[-1] if days else assigned_on) + datetime.timedelta(
                days=rng.randint(5, 20))
            assignment.closed_on = min(assignment.closed_on, today)
            assignment.outcome = rng.choice(OUTCOMES)
        assignments.append(assignment)
        notes.append((assignment, days, rng.randrange(len(FOLLOW_UP_NOTES))))
    create_in_bulk(HelpAssignment, assignments)
    follow_ups = [
        HelpFollowUp(assignment_id=assignment.pk, date=day,
                     note=FOLLOW_UP_NOTES[(first + i) % len(FOLLOW_UP_NOTES)])
        for assignment, days, first in notes for i, day in enumerate(days)
    ]
    create_in_bulk(HelpFollowUp, follow_ups)
    writes.assignments += len(assignments)
    writes.follow_ups += len(follow_ups)


def load(seed: int = DEMO_SEED) -> dict[str, Tally]:
    """Create the demo rounds not there yet (relative to today), with ratings and help."""
    today = timezone.localdate()
    halves = demo_halves(today)
    existing = {(r.year, r.half): r for r in ReviewRound.objects.all()}
    writes = _Writes()
    missing = [h for h in halves if h not in existing]
    if missing:
        roster = _roster()
        helped_before: set[tuple[str, str]] = set()
        for year, half in halves:
            if (year, half) in existing:
                round_ = existing[(year, half)]
                helped_before = set(
                    round_.reviews.filter(rating=Rating.UNQUALIFIED)
                    .values_list("member__branch__code", "member__name")
                )
                continue
            helped_before = _load_round(
                seed, year, half, roster, helped_before,
                latest=(year, half) == halves[-1], today=today, writes=writes,
            )
    kept = [existing[h] for h in halves if h in existing]
    had = MemberReview.objects.filter(round__in=kept).aggregate(
        reviews=Count("pk", distinct=True), helped=Count("help", distinct=True),
        notes=Count("help__follow_ups", distinct=True),
    )
    return {
        str(ReviewRound._meta.verbose_name): Tally(len(missing), len(kept)),
        str(MemberReview._meta.verbose_name): Tally(writes.reviews, had["reviews"]),
        str(HelpAssignment._meta.verbose_name): Tally(writes.assignments, had["helped"]),
        str(HelpFollowUp._meta.verbose_name): Tally(writes.follow_ups, had["notes"]),
    }
