from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    # The kept upload the worker reads (a token of twinning.exchange.service.keep_upload).
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
