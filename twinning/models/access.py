from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalDataAccess(models.Model):
    """One reading of members' personal data: who, when, which page or export, which members.

    Accountability for personal information (PIPL): the department can say who read whose
    data. Written by `twinning.audit.personal_data_read`; never edited, so no history table.
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
