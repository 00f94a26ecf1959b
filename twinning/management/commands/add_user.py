"""`manage.py add_user USERNAME --role ROLE [--town CODE] [--committee CODE ...] --password P`."""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from branches.models import Town
from twinning.committees.models import JointCommittee
from twinning.shared import permissions
from twinning.shared.models import Role
from twinning.site.accounts import user_create


def _messages(error: ValidationError) -> str:
    return "；".join(str(m) for m in error.messages)


class Command(BaseCommand):
    help = (
        "Create a login with one role (department, town, secretary, inspector, leader) "
        "and its reach: the towns or committees it works on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help="、".join(Role.values))
        parser.add_argument(
            "--town",
            action="append",
            default=[],
            metavar="CODE",
            help="town code (role town); may be given more than once",
        )
        parser.add_argument(
            "--committee",
            action="append",
            default=[],
            metavar="CODE",
            help="joint committee code (roles secretary, inspector); may be given more than once",
        )
        parser.add_argument("--password", required=True)
        parser.add_argument(
            "--skip-existing",
            action="store_true",
            help="if the username exists already, change nothing and exit 0",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        role: str = options["role"]
        town_codes: list[str] = options["town"]
        committee_codes: list[str] = options["committee"]

        if role not in Role.values:
            raise CommandError(f"未知角色「{role}」，可选：{'、'.join(Role.values)}。")
        try:
            User._meta.get_field("username").clean(username, None)
        except ValidationError as e:
            raise CommandError(f"用户名「{username}」无效：{_messages(e)}") from e
        if options["skip_existing"] and User.objects.filter(username=username).exists():
            self.stdout.write(f"用户 {username} 已存在，未作修改。")
            return
        if town_codes and permissions.scope_needed(role) != "town":
            raise CommandError("--town 只用于镇街用户（--role town）。")
        if committee_codes and permissions.scope_needed(role) != "committees":
            raise CommandError(
                "--committee 只用于书记和督查组用户（--role secretary 或 inspector）。"
            )
        towns = self._lookup(Town, town_codes, "镇街")
        committees = self._lookup(JointCommittee, committee_codes, "联合党组织")

        try:
            user = user_create(
                username=username,
                role=role,
                password=options["password"],
                towns=towns,
                committees=committees,
            )
        except ValidationError as e:
            raise CommandError(f"未创建用户 {username}：{_messages(e)}") from e

        reach = ""
        if towns:
            reach = f"，所属镇街：{'、'.join(t.name for t in towns)}"
        elif committees:
            reach = f"，联合党组织：{'、'.join(c.name for c in committees)}"
        self.stdout.write(
            self.style.SUCCESS(f"已创建用户 {user.username}（{Role(role).label}）{reach}")
        )

    def _lookup(self, model: Any, codes: list[str], label: str) -> list[Any]:
        """The objects with these codes, in the order given; every unknown code is reported."""
        found = {obj.code: obj for obj in model.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise CommandError(f"找不到编码为「{'、'.join(unknown)}」的{label}。")
        return list({code: found[code] for code in codes}.values())
