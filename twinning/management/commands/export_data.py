"""`manage.py export_data KIND FILE`: every row of a register as CSV or XLSX (by extension).

Headers and values are the keys of DESIGN §5 (`village`, `yes`), for scripts; `--labels`
writes the Chinese labels (村, 是) instead. Either file imports back unchanged.
"""

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from twinning import exchange


class Command(BaseCommand):
    help = "Export all towns, branches, members or committees to a .csv or .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="、".join(exchange.KINDS))
        parser.add_argument("file", help="where to write: a .csv or .xlsx file")
        parser.add_argument(
            "--labels", action="store_true", help="Chinese headers and values instead of keys"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind: str = options["kind"]
        path = Path(options["file"])
        if kind not in exchange.KINDS:
            raise CommandError(f"未知的数据类型「{kind}」，可选：{'、'.join(exchange.KINDS)}。")
        try:
            fmt = exchange.format_of(path.name)
        except exchange.FileProblem as problem:
            raise CommandError(str(problem)) from problem
        if not path.parent.is_dir():
            raise CommandError(f"目录 {path.parent} 不存在。")
        queryset = exchange.KINDS[kind].resource_class().get_queryset()
        content = exchange.export_file(kind, queryset, fmt, labels=options["labels"])
        # Written beside the target, then moved into place: a reader never sees half a file.
        handle, scratch = tempfile.mkstemp(dir=path.parent, suffix=f".{fmt}.part")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(scratch, path)
        self.stdout.write(self.style.SUCCESS(f"已导出 {queryset.count()} 行到 {path}。"))
