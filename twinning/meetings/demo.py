"""A year of monthly joint meetings for the demo city (DESIGN §1 mechanism 1).

One meeting in each of the 12 months before the current month, held by the organisation
department mid-month, with its attendees, topics, decisions and 2 to 4 action items — most
done on time, some late, a few still open and overdue. Planned in memory from the seed;
a month that has a meeting already is left alone, so a second run writes nothing.
"""

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from branches.demo import DEMO_SEED, Tally, create_in_bulk, person_name
from twinning.committees.demo import committee_plan
from twinning.committees.demo_history import finished_on, history_months, working_day
from twinning.committees.models import JointCommittee
from twinning.meetings.models import ActionItem, JointMeeting
from twinning.shared.periods import add_months

# Topics reviewed every month, and the ones that come up now and then.
STANDING_TOPICS = (
    "通报{prev}月联合党组织月度工作报告报送情况",
    "通报{prev}月督查情况及整改事项落实情况",
)
OCCASIONAL_TOPICS = (
    ("研究{committee}帮扶项目推进中遇到的用地和资金问题",
     "{committee}帮扶项目用地手续由属地镇街牵头协调办理", "{town}党(工)委"),
    ("研究{committee}城乡党员结对帮扶工作",
     "{committee}调整完善结对名单，确保每名困难党员有人帮", "{urban}党组织书记"),
    ("听取{committee}互派干部挂职情况汇报",
     "{committee}挂职干部期满前提交工作总结", "{urban}党组织书记"),
    ("研究村级集体经济增收措施",
     "各联合党组织梳理可合作产业项目清单报组织部", "市委组织部组织科"),
    ("研究农村基础设施补短板工作",
     "汇总联建村道路、路灯、自来水需求，提出年度实施计划", "市农业农村局"),
    ("研究部分联合党组织月度报告迟报漏报问题",
     "对连续两个月迟报的联合党组织书记进行约谈提醒", "市委组织部组织科"),
    ("研究党员教育培训计划",
     "组织联建村党支部书记赴先进地区学习考察", "市委党校"),
    ("研究热点难点问题办理情况",
     "{committee}群众反映的热点问题限期办结并回访", "{town}党(工)委"),
)
ATTENDEE_UNITS = (
    "市委组织部、市农业农村局、市财政局、市经管局等成员单位负责同志；各镇街党(工)委副书记；督查组成员"
)
DUE_DAYS = (14, 21, 30, 30, 45)


@dataclass(frozen=True)
class ItemSpec:
    description: str
    owner: str
    committee_code: str | None
    due_on: datetime.date
    done_on: datetime.date | None


@dataclass(frozen=True)
class MeetingSpec:
    period: datetime.date
    held_on: datetime.date
    attendees: str
    topics: str
    decisions: str
    items: tuple[ItemSpec, ...]


def meeting_plan(
    seed: int, months: tuple[datetime.date, ...], today: datetime.date,
    towns: dict[str, str],
) -> tuple[MeetingSpec, ...]:
    """The joint meetings of the given months; `towns` maps committee codes to town names."""
    committees = committee_plan(seed)
    people = random.Random(f"{seed}:meeting-people")
    minister, deputy = person_name(people), person_name(people)
    specs = []
    for period in months:
        rng = random.Random(f"{seed}:meeting:{period:%Y-%m}")
        held_on = working_day(rng, period, 10, 22)
        prev = add_months(period, -1).month
        topics = [t.format(prev=prev) for t in STANDING_TOPICS]
        decisions = [f"对{prev}月迟报、漏报的联合党组织予以通报，督查整改事项逾期的限期销号"]
        items = [ItemSpec(f"督促{prev}月督查逾期整改事项限期销号", "督查组", None,
                          held_on + datetime.timedelta(days=14), None)]
        for topic, decision, owner in rng.sample(OCCASIONAL_TOPICS, rng.randint(1, 3)):
            committee = rng.choice(committees)
            names = {"committee": committee.name, "town": towns.get(committee.code, ""),
                     "urban": committee.name.removesuffix("联合党总支")}
            uses_committee = "{committee}" in decision
            topics.append(topic.format(**names))
            decisions.append(decision.format(**names))
            items.append(ItemSpec(decision.format(**names), owner.format(**names),
                                  committee.code if uses_committee else None,
                                  held_on + datetime.timedelta(days=rng.choice(DUE_DAYS)), None))
        items = [
            ItemSpec(i.description, i.owner, i.committee_code, i.due_on,
                     finished_on(rng, start=held_on, due=i.due_on, today=today))
            for i in items
        ]
        specs.append(MeetingSpec(
            period=period,
            held_on=held_on,
            attendees=f"市委常委、组织部部长{minister}（主持）；组织部副部长{deputy}；{ATTENDEE_UNITS}",
            topics="\n".join(f"{n}. {t}" for n, t in enumerate(topics, start=1)),
            decisions="\n".join(f"{n}. {d}" for n, d in enumerate(decisions, start=1)),
            items=tuple(items),
        ))
    return tuple(specs)


def load(seed: int = DEMO_SEED, today: datetime.date | None = None) -> dict[str, Tally]:
    """Write the joint meetings of the last 12 months that are not there yet."""
    today = today or timezone.localdate()
    months = tuple(history_months(today))
    committees = JointCommittee.objects.select_related("town").in_bulk(
        [c.code for c in committee_plan(seed)], field_name="code"
    )
    specs = meeting_plan(seed, months, today, {code: c.town.name for code, c in committees.items()})
    held = set(JointMeeting.objects.filter(period__in=months).values_list("period", flat=True))
    new = [s for s in specs if s.period not in held]
    meetings = [
        JointMeeting(period=s.period, held_on=s.held_on, attendees=s.attendees, topics=s.topics,
                     decisions=s.decisions)
        for s in new
    ]
    create_in_bulk(JointMeeting, meetings)
    create_in_bulk(ActionItem, [
        ActionItem(
            meeting=meeting, description=item.description, owner=item.owner,
            committee=committees.get(item.committee_code), due_on=item.due_on,
            status=ActionItem.Status.DONE if item.done_on else ActionItem.Status.OPEN,
            done_on=item.done_on, result="已按会议要求办结。" if item.done_on else "",
        )
        for meeting, spec in zip(meetings, new, strict=True) for item in spec.items
    ])
    planned = sum(len(s.items) for s in specs)
    created = sum(len(s.items) for s in new)
    return {
        str(JointMeeting._meta.verbose_name): Tally(len(new), len(specs) - len(new)),
        str(ActionItem._meta.verbose_name): Tally(created, planned - created),
    }
