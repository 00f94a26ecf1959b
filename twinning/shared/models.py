"""The shared machinery's own records: users' roles, reads of personal data, spreadsheet
imports, reminders (who was told what, by which channel, with what outcome) and one-time form
tokens. They belong to no programme concept, so every app may use them and they import none."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    DEPARTMENT = "department", _("组织部")
    TOWN = "town", _("镇街党(工)委")
    SECRETARY = "secretary", _("联合党组织书记")
    INSPECTOR = "inspector", _("督查组")
    LEADER = "leader", _("领导")


class Profile(models.Model):
    """A user's role in the programme; which objects they reach is held in object permissions."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class PersonalDataAccess(models.Model):
    """One reading of members' personal data: who, when, which page or export, which members.

    Accountability for personal information (PIPL): the department can say who read whose
    data. Written by `twinning.shared.audit.personal_data_read`; never edited, so no history table.
    """

    MAX_IDS = 1000

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查阅人"), on_delete=models.SET_NULL,
        null=True, related_name="personal_data_reads",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    what = models.CharField(_("内容"), max_length=64)
    path = models.CharField(_("网址"), max_length=255)
    count = models.PositiveIntegerField(_("涉及党员数"), default=0)
    # The members shown, up to MAX_IDS (an export of a whole register names its filter instead).
    member_ids = models.JSONField(_("党员"), default=list, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("个人信息查阅记录")
        verbose_name_plural = _("个人信息查阅记录")

    def __str__(self) -> str:
        return f"{self.user} {self.what} {self.at:%Y-%m-%d %H:%M}"


class ImportRecord(models.Model):
    """One spreadsheet import, checked only or written: who, when, which file, what it did.

    It is itself the audit record of an import (the rows it wrote carry their own history), so
    it has no history table of its own and is never edited.
    """

    class Status(models.TextChoices):
        OK = "ok", _("通过")
        REJECTED = "rejected", _("有错误，未写入")
        # The file was right but the database refused the write; the upload is kept.
        FAILED = "failed", _("写入失败，可重试")

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="import_records",
        help_text=_("空表示命令行"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("数据类型"), max_length=32)
    file_name = models.CharField(_("文件名"), max_length=255)
    dry_run = models.BooleanField(_("仅检查"), default=False)
    status = models.CharField(_("结果"), max_length=16, choices=Status.choices, blank=True)
    # An import sent to a worker: its state and how far it has got, for the progress page.
    state = models.CharField(_("状态"), max_length=16, choices=State.choices,
                             default=State.DONE)
    checked = models.PositiveIntegerField(_("已检查行数"), default=0)
    written = models.PositiveIntegerField(_("已写入行数"), default=0)
    # The kept upload the worker reads (a token of twinning.shared.exchange.services.keep_upload).
    token = models.CharField(_("上传标识"), max_length=64, blank=True)
    # The preview as the page shows it (first problems and changes, notes), for a worker's
    # result to be shown when it is done.
    result = models.JSONField(_("检查结果"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("数据行"), default=0)
    created = models.PositiveIntegerField(_("新建"), default=0)
    changed = models.PositiveIntegerField(_("修改"), default=0)
    unchanged = models.PositiveIntegerField(_("不变"), default=0)
    errors = models.PositiveIntegerField(_("错误"), default=0)
    # The first problems found, as the clerk saw them, so a refused import can be explained.
    problems = models.JSONField(_("问题"), default=list, blank=True)
    # Why a write failed (status FAILED), for whoever looks into it.
    last_error = models.TextField(_("失败原因"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.kind}, {self.created_at:%Y-%m-%d %H:%M})"


class ReminderLog(models.Model):
    """One owed item put in one user's digest on one day (see twinning.shared.reminders)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
        related_name="reminder_logs",
    )
    key = models.CharField(_("事项"), max_length=200)
    sent_on = models.DateField(_("提醒日期"))
    # False when the user has no e-mail address: the item was on their to-do list only.
    emailed = models.BooleanField(_("已发邮件"), default=False)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "user_id", "key"]
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key", "sent_on"], name="reminder_once_per_item_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.key} {self.sent_on}"


class SubmitToken(models.Model):
    """A token a form carried, claimed by the first POST that brought it; `url` is where that
    POST led (the record it created or changed), for the POSTs that repeat it."""

    token = models.CharField(_("令牌"), max_length=64, primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
        related_name="+",
    )
    url = models.CharField(_("结果页面"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("表单提交令牌")
        verbose_name_plural = _("表单提交令牌")

    def __str__(self) -> str:
        return self.token


class ReminderChannels(models.Model):
    """How one user wants their reminders: the channels they chose and their mobile number.

    A user without a row gets every channel that reaches them (e-mail where they have an
    address, SMS where they have a phone, their town's WeCom group where it has a robot).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_channels",
        verbose_name=_("用户"),
    )
    phone = models.CharField(
        _("手机号"), max_length=11, blank=True,
        validators=[RegexValidator(r"^1[3-9]\d{9}$", _("请输入11位手机号码，如13812345678。"))],
    )
    by_email = models.BooleanField(_("电子邮件"), default=True)
    by_sms = models.BooleanField(_("短信"), default=True)
    by_wecom = models.BooleanField(_("企业微信群"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("提醒方式")
        verbose_name_plural = _("提醒方式")

    def __str__(self) -> str:
        return str(self.user)


class ReminderDelivery(models.Model):
    """One digest sent (or to be sent) on one channel: to a user by e-mail or SMS, or to a
    town's WeCom group. It keeps what it sends, so a retry sends the same text, and how the
    last try went (see twinning.shared.deliveries)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")
        WECOM = "wecom", _("企业微信群")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        RETRY = "retry", _("待重试")
        FAILED = "failed", _("发送失败")

    # A user's own digest; empty for a group's message.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
        null=True, blank=True, related_name="reminder_deliveries",
    )
    # A group's message: which group (e.g. "town:12") and its name as it was.
    group = models.CharField(_("群"), max_length=64, blank=True)
    group_name = models.CharField(_("群名称"), max_length=128, blank=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    key = models.CharField(_("标识"), max_length=200)
    sent_on = models.DateField(_("提醒日期"))
    # Where it goes (an e-mail address, a mobile number, a robot's address) and what it says.
    target = models.CharField(_("发送地址"), max_length=500)
    payload = models.JSONField(_("内容"), default=dict)
    # The keys of the owed items it carries (ReminderLog.key).
    items = models.JSONField(_("事项"), default=list)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("开始发送"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("失败原因"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("提醒发送记录")
        verbose_name_plural = _("提醒发送记录")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.user or self.group_name} {self.sent_on}"
