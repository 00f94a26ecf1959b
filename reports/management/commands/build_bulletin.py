import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.bulletins import services
from reports.bulletins.models import Bulletin
from twinning.shared import permissions
from twinning.shared.acting import acting_user, add_as_argument
from twinning.shared.audit import acting_as
from twinning.shared.periods import parse_period


class Command(BaseCommand):
    help = "生成某月的月度通报（新版本）并输出PDF路径；--publish 同时发布。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="月份，格式 YYYY-MM")
        parser.add_argument("--publish", action="store_true", help="生成后立即发布")
        parser.add_argument("--quick", action="store_true",
                            help="与 --publish 同用：本月报送尚未截止时作为快报发布")
        add_as_argument(parser)

    def handle(self, *args, **options) -> None:
        try:
            period = parse_period(options["period"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        user = acting_user(options)
        if user is not None and not permissions.can(user, "publish"):
            raise CommandError(f"用户「{user}」无权生成和发布通报。")
        with acting_as(user):
            self._build(period, user, publish=options["publish"], quick=options["quick"])

    def _build(
        self, period: datetime.date, user: User | None, *, publish: bool, quick: bool
    ) -> None:
        bulletin = services.bulletin_request(period=period, user=user)
        # Built here, in this process, so the command waits for the PDF whatever the broker.
        try:
            state = services.bulletin_build(bulletin.pk)
        except Exception as error:
            services.bulletin_fail(bulletin.pk, f"{type(error).__name__}: {error}")
            raise CommandError(f"{bulletin} 生成失败：{error}") from error
        bulletin.refresh_from_db()
        if state == Bulletin.State.BUILDING:
            raise CommandError(f"{bulletin} 正由另一个进程生成，请稍后再试。")
        if state != Bulletin.State.READY:
            raise CommandError(f"{bulletin} 生成失败：{bulletin.last_error or bulletin.state}")
        if publish:
            try:
                bulletin = services.bulletin_publish(bulletin=bulletin, user=user, quick=quick)
            except ValidationError as error:
                raise CommandError(
                    f"{bulletin} 已生成（{bulletin.pdf.path}），但不能发布："
                    + "；".join(error.messages)) from None
        issued = f"已发布，{bulletin.reference}" if publish else "待发布"
        self.stdout.write(
            f"{bulletin}：{bulletin.page_count}页，{issued}，SHA-256 {bulletin.checksum}"
        )
        self.stdout.write(bulletin.pdf.path)
