"""`manage.py import_data KIND FILE [--dry-run]`: import a register from CSV or XLSX (§5).

The same checks as the staff page: every row is checked first, and only a file without a
single bad row is written, in one transaction. Prints the counts, or every problem row by row
and exits non-zero. Recorded as an import by the command line, or with `--as USERNAME` as that
user's import, within that user's rights.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser

from twinning.management.exchange_command import ExchangeCommand
from twinning.shared import exchange
from twinning.shared.acting import acting_user, add_as_argument
from twinning.shared.audit import acting_as


class Command(ExchangeCommand):
    help = (
        "Import towns, branches, members or committees from a CSV (UTF-8/GB18030) or XLSX "
        "file; nothing is written unless every row is right."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report only; write nothing"
        )
        add_as_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        found, path = self.kind_and_path(options)
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}。")
        with path.open("rb") as handle:
            # One byte past the limit is enough to refuse a file that is too large.
            data = handle.read(settings.IMPORT_MAX_BYTES + 1)
        user = acting_user(options)
        try:
            with acting_as(user):
                report = exchange.import_file(
                    found.key, path.name, data, user=user, dry_run=options["dry_run"]
                )
        except PermissionDenied:
            raise CommandError(f"用户「{user}」无权导入{found.label}。") from None
        counts = f"新建 {report.created}，修改 {report.changed}，不变 {report.unchanged}"
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{path.name}：发现 {len(report.problems)} 处问题，没有写入任何数据。"
            )
        if options["verbosity"] > 1:
            for change in report.changes:
                cells = "；".join(f"{label}：{before} → {after}" if before else f"{label}：{after}"
                                 for label, before, after in change.cells)
                action = "新建" if change.created else "修改"
                self.stdout.write(f"第{change.row}行 {action} {change.subject}：{cells}")
        if report.dry_run:
            self.stdout.write(f"{path.name}：检查通过，未写入（{report.rows} 行：将{counts}）。")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"{path.name}：已导入 {report.rows} 行（{counts}）。")
            )
