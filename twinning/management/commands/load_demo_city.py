"""`manage.py load_demo_city [--seed N]`: the reference city of DESIGN §1, with history.

Each app owns its part of the demo city in `<app>/demo.py`; this command only runs their
`load(seed)` steps in order, in one transaction, and prints what each wrote. Every step is
idempotent by natural keys, so a second run writes nothing. A new app adds its step to STEPS.
"""

import time
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from branches import demo as branches_demo
from evaluations.assessments import demo as assessments_demo
from evaluations.inspections import demo as inspections_demo
from evaluations.reviews import demo as reviews_demo
from reports.bulletins import demo as bulletins_demo
from twinning.aid import demo as aid_demo
from twinning.committees import demo as twinning_demo
from twinning.meetings import demo as meetings_demo
from twinning.monthly import demo as monthly_demo

# A step returns, for each kind of row it knows, (created, already there).
Step = Callable[[int], Mapping[str, tuple[int, int]]]

STEPS: tuple[tuple[str, Step], ...] = (
    ("branches", branches_demo.load),
    ("twinning", twinning_demo.load),
    ("aid", aid_demo.load),
    ("monthly updates", monthly_demo.load),
    ("meetings", meetings_demo.load),
    ("inspections", inspections_demo.load),
    ("reviews", reviews_demo.load),
    ("assessments", assessments_demo.load),
    ("bulletins", bulletins_demo.load),
)


class Command(BaseCommand):
    help = (
        "Load the reference city (towns, branches, members, joint committees) with its history "
        "(aid projects and mutual help since 2019; the last 12 months of monthly updates, "
        "inspections and joint meetings; two democratic reviews and two assessments), "
        "deterministic from one seed; rows already there are left alone, so it can be run "
        "again safely."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=branches_demo.DEMO_SEED,
            help="the seed the city is generated from (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seed: int = options["seed"]
        started = time.monotonic()
        created = 0
        try:
            with transaction.atomic():
                for app, load in STEPS:
                    step_started = time.monotonic()
                    tallies = load(seed)
                    for label, (new, existing) in tallies.items():
                        self.stdout.write(f"{label}: 新建 {new} / 已有 {existing}")
                        created += new
                    if options["verbosity"] > 1:
                        self.stdout.write(f"  [{app}] {time.monotonic() - step_started:.1f} 秒")
        except (ValidationError, branches_demo.DemoError) as e:
            messages = e.messages if isinstance(e, ValidationError) else [str(e)]
            raise CommandError(f"演示城市未载入（已全部回滚）：{'；'.join(messages)}") from e

        elapsed = time.monotonic() - started
        if created:
            summary = f"演示城市已载入：新建 {created} 条记录，用时 {elapsed:.1f} 秒。"
            self.stdout.write(self.style.SUCCESS(summary))
        else:
            self.stdout.write(self.style.SUCCESS("演示城市已是最新：没有写入任何数据。"))
