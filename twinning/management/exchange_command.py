"""What `import_data` and `export_data` share: the KIND and FILE arguments, checked."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from twinning.shared import exchange


class ExchangeCommand(BaseCommand):
    file_help = "a .csv or .xlsx file"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="、".join(exchange.KINDS))
        parser.add_argument("file", help=self.file_help)

    def kind_and_path(self, options: dict[str, Any]) -> tuple[exchange.Kind, Path]:
        try:
            kind = exchange.kind_named(options["kind"])
        except exchange.UnknownKind as error:
            raise CommandError(str(error)) from error
        return kind, Path(options["file"])
