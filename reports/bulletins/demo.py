"""The demo city's bulletin parts that the department writes on the site, for `load_demo_city`.

A fresh demo can publish at once: the issuing settings (诸城市委组织部's 简报), and for each of
the twelve demo months two typical cases chosen from that month's records, the way the
department chooses them (`cases.typical_case_choose`), and the month's 下步工作. Months that
already have cases or next steps are left alone, so a second run writes nothing and nothing the
department wrote is replaced.
"""

import datetime
import random

from django.utils import timezone

from branches.demo import DEMO_SEED, Tally
from reports.bulletins import cases
from reports.bulletins.models import BulletinSettings, BulletinText, TypicalCase
from twinning.committees.demo_history import history_months

CASES_PER_MONTH = 2
ISSUING = {
    "heading": "诸城市城乡联合党组织建设工作简报",
    "issuing_body": "中共诸城市委组织部",
    "short_name": "诸组通",
    "recipients": "各镇街党（工）委，市直各部门单位党组织",
    "copies_to": "市委办公室，市人大常委会办公室，市政府办公室，市政协办公室",
    "printed_by": "中共诸城市委组织部办公室",
}
NEXT_STEPS = (
    "抓好月度报送。各镇街要督促联合党组织在规定时限内报送月度工作报告，对退回的报告及时修改重报。",
    "推进帮扶项目。对进度滞后的帮扶项目逐一分析原因，确保按计划投入、按期见效。",
    "加强督查整改。对督查发现的问题建立台账，明确整改责任人和时限，逐项销号。",
    "做好党员教育管理。组织联合党组织开展主题党日活动，落实结对帮扶措施。",
    "总结推广经验。各镇街要及时总结联建工作中的好做法，报送典型案例。",
)


def load(seed: int = DEMO_SEED, today: datetime.date | None = None) -> dict[str, Tally]:
    settings_created = 0
    if not BulletinSettings.objects.exists():
        BulletinSettings.objects.create(**ISSUING)
        settings_created = 1
    months = history_months(today or timezone.localdate())
    cases_created = texts_created = 0
    for period in months:
        if not TypicalCase.objects.filter(period=period).exists():
            cases_created += _choose_cases(period)
        rng = random.Random(f"{seed}-next-steps-{period:%Y-%m}")
        steps = sorted(rng.sample(NEXT_STEPS, 3), key=NEXT_STEPS.index)
        text = "\n".join(f"{n}是{step}" for n, step in zip("一二三", steps, strict=True))
        _, created = BulletinText.objects.get_or_create(period=period,
                                                        defaults={"next_steps": text})
        texts_created += created
    planned = len(months)
    return {
        "通报印发设置": Tally(settings_created, 1 - settings_created),
        "典型案例": Tally(cases_created,
                               TypicalCase.objects.filter(period__in=months).count()
                               - cases_created),
        "通报下步工作": Tally(texts_created, planned - texts_created),
    }


# The department's own opening words before the facts taken from the record.
LEADS = {
    "aid_project": "联合党组织发挥城市党组织资源优势，把项目建在村里、把收益留在村里。",
    "hot_issue": "联合党组织召开联席会议研究群众反映的问题，城市党组织协调资金和力量推动解决。",
    "activity": "城乡党员结对交流，在活动中增进感情、解决实际困难。",
}


def _choose_cases(period: datetime.date) -> int:
    """The month's most telling aid project and one other record, as the department would,
    with the department's opening words before the record's facts."""
    found = cases.candidates(period)
    chosen = [c for c in found if c.kind == "aid_project"][:1]
    chosen += [c for c in found if c.kind != "aid_project"][:CASES_PER_MONTH - len(chosen)]
    for candidate in chosen:
        case = cases.typical_case_choose(period=period, kind=candidate.kind, pk=candidate.pk)
        case.body = f"{LEADS[candidate.kind]}{case.body}"
        cases.typical_case_update(case=case)
    return len(chosen)
