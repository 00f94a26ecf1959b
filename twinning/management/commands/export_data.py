"""`manage.py export_data KIND FILE`: every row of a register as CSV or XLSX (by extension).

Headers and values are the keys of DESIGN §5 (`village`, `yes`), for scripts; `--labels`
writes the Chinese labels (村, 是) instead. Either file imports back unchanged.
"""

import os
import tempfile
from typing import Any

from django.core.management.base import CommandError, CommandParser

from twinning.management.exchange_command import ExchangeCommand
from twinning.shared import exchange


class Command(ExchangeCommand):
    help = "Export all towns, branches, members or committees to a .csv or .xlsx file."

    file_help = "where to write: a .csv or .xlsx file"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--labels", action="store_true", help="Chinese headers and values instead of keys"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        found, path = self.kind_and_path(options)
        try:
            fmt = exchange.format_of(path.name)
        except exchange.FileProblem as problem:
            raise CommandError(str(problem)) from problem
        if not path.parent.is_dir():
            raise CommandError(f"目录 {path.parent} 不存在。")
        queryset = found.resource_class().get_queryset()
        content = exchange.export_file(found.key, queryset, fmt, labels=options["labels"])
        # Written beside the target, then moved into place: a reader never sees half a file.
        handle, scratch = tempfile.mkstemp(dir=path.parent, suffix=f".{fmt}.part")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(scratch, path)
        self.stdout.write(self.style.SUCCESS(f"已导出 {queryset.count()} 行到 {path}。"))
