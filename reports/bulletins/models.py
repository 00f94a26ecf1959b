from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from twinning.aid.models import AidProject, HelpActivity, HotIssue
from twinning.committees.models import JointCommittee


class Bulletin(models.Model):
    """One version of a month's citywide bulletin (月度通报) and its PDF.

    A rebuild makes a new version; a published version never changes.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        BUILDING = "building", _("生成中")
        READY = "ready", _("待发布")
        FAILED = "failed", _("生成失败")
        PUBLISHED = "published", _("已发布")

    IN_FLIGHT = (State.QUEUED, State.BUILDING)

    period = models.DateField(_("月份"))
    version = models.PositiveIntegerField(_("版本"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    progress_note = models.CharField(_("进度说明"), max_length=64, blank=True)
    pdf = models.FileField(_("PDF文件"), upload_to="bulletins/", blank=True)
    # The same version's other editions, built from the same data in the same build.
    docx = models.FileField(_("Word文件"), upload_to="bulletins/", blank=True)
    web = models.FileField(_("手机版页面"), upload_to="bulletins/", blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # The spreadsheet annex (附件): every row the PDF leaves out, built with it.
    annex = models.FileField(_("附件（XLSX）"), upload_to="bulletins/", blank=True)
    annex_rows = models.PositiveIntegerField(_("附件行数"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    size_bytes = models.PositiveIntegerField(_("文件大小"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    requested_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始生成"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    # The building worker holds the version until then and extends it at every step; a
    # version still building after it has passed lost its worker.
    lease_until = models.DateTimeField(_("租约到期"), null=True, blank=True)
    built_at = models.DateTimeField(_("生成完成"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("错误信息"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # The document as built and reviewed: publication re-renders this very HTML with the
    # serial number and the issue date filled in, never the data as it stands by then.
    html = models.TextField(_("排版内容"), blank=True, editable=False)
    # Set at publication, per year, never reused: a superseded version keeps its number.
    serial_year = models.PositiveSmallIntegerField(_("期号年度"), null=True, blank=True)
    serial_number = models.PositiveIntegerField(_("期号"), null=True, blank=True)
    reference = models.CharField(_("文号"), max_length=64, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    quick = models.BooleanField(_("快报"), default=False)
    # What the built document holds, for the publishing checklist: {"cases": 2,
    # "next_steps": true, "as_of": "2026-12-04"} (as_of: the build date the figures are from).
    contents = models.JSONField(_("内容摘要"), default=dict, blank=True, editable=False)
    # The draft the department reviewed; `pdf` holds the issued document once published.
    draft_pdf = models.FileField(_("送审稿PDF"), upload_to="bulletins/", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period", "-version"]
        verbose_name = _("月度通报")
        verbose_name_plural = _("月度通报")
        constraints = [
            models.UniqueConstraint(fields=["period", "version"], name="bulletin_version_unique"),
            # Two requests for the same month at once share one build: never two in flight.
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(state__in=["queued", "building"]),
                name="bulletin_one_build_in_flight",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["ready", "published"]) | ~Q(pdf=""),
                name="bulletin_ready_has_pdf",
            ),
            # Two publications can never carry one number (nulls, the drafts, are distinct).
            models.UniqueConstraint(
                fields=["serial_year", "serial_number"], name="bulletin_serial_unique"
            ),
            models.CheckConstraint(
                condition=~Q(state="published")
                | Q(serial_year__isnull=False, serial_number__isnull=False),
                name="bulletin_published_has_serial",
            ),
        ]

    def __str__(self) -> str:
        if self.serial_number:
            return f"{self.period:%Y年%m月}通报（{self.serial_year}年第{self.serial_number}期）"
        return f"{self.period:%Y年%m月}通报（第{self.version}版）"

    def get_absolute_url(self) -> str:
        return reverse("bulletin_detail", args=[self.pk])

    @property
    def annex_filename(self) -> str:
        """The annex's name as the bulletin cites it and a download saves it (readers know no
        versions: a version's annex is named by its month, as its bulletin is)."""
        return f"{self.period:%Y年%m月}通报附件.xlsx"

    @property
    def is_in_flight(self) -> bool:
        return self.state in self.IN_FLIGHT

    @property
    def issue_label(self) -> str:
        """第11期, or empty for a draft."""
        return f"第{self.serial_number}期" if self.serial_number else ""


class BulletinText(models.Model):
    """The department's own words for a month's bulletin (section 七 下步工作)."""

    period = models.DateField(_("月份"), unique=True)
    next_steps = models.TextField(_("下步工作"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("通报文字")
        verbose_name_plural = _("通报文字")

    def __str__(self) -> str:
        return f"{self.period:%Y-%m}"


class BulletinSettings(models.Model):
    """How the department issues its bulletins: one row, edited on the site."""

    heading = models.CharField(
        _("简报名称（红头）"), max_length=64,
        help_text=_("例如：诸城市城乡联合党组织建设工作简报"),
    )
    issuing_body = models.CharField(_("发文机关"), max_length=64,
                                    help_text=_("例如：中共诸城市委组织部"))
    short_name = models.CharField(
        _("发文机关代字"), max_length=16,
        help_text=_("文号中的代字，例如“诸组通”，文号即“诸组通〔2026〕11号”"),
    )
    recipients = models.TextField(
        _("主送"), help_text=_("例如：各镇街党（工）委，市直各部门单位党组织"),
    )
    copies_to = models.TextField(_("抄送"), blank=True)
    printed_by = models.CharField(_("印发机关"), max_length=64,
                                  help_text=_("例如：中共诸城市委组织部办公室"))
    number_head_page = models.BooleanField(_("首页标注页码"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("通报印发设置")
        verbose_name_plural = _("通报印发设置")

    def __str__(self) -> str:
        return self.issuing_body

    def reference_for(self, year: int, number: int) -> str:
        return f"{self.short_name}〔{year}〕{number}号"


class TypicalCase(models.Model):
    """A case the department chooses from the month's records as an example (section 五)."""

    period = models.DateField(_("月份"))
    committee = models.ForeignKey(
        JointCommittee, verbose_name=_("联合党组织"), on_delete=models.PROTECT,
        related_name="typical_cases",
    )
    title = models.CharField(_("标题"), max_length=128)
    body = models.TextField(_("案例内容"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    # The record the case was chosen from (one of them; the text is the department's own).
    aid_project = models.ForeignKey(
        AidProject, verbose_name=_("帮扶项目"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    hot_issue = models.ForeignKey(
        HotIssue, verbose_name=_("热点难点问题"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    activity = models.ForeignKey(
        HelpActivity, verbose_name=_("互助活动"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "order", "pk"]
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """A message for one user in the site (a bulletin was published …)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(_("内容"), max_length=255)
    url = models.CharField(_("链接"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text
