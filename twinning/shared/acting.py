"""`--as USERNAME` for commands that change programme data: whose name the change carries.

Without it a command's changes are recorded as made by no one (系统 in the audit trail); with
it, they carry that user, as if made on the site, and are limited to what the user may do there.
"""

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser


def add_as_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--as", dest="as_user", metavar="USERNAME",
        help="record the changes as made by this (active) user, within that user's rights",
    )


def acting_user(options: dict[str, Any]) -> User | None:
    """The user named by `--as`, or None; an unknown or inactive name stops the command."""
    username = options.get("as_user")
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"没有名为「{username}」的有效用户。")
    return user
