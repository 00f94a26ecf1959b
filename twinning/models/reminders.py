"""The record of reminders sent, so that no one is reminded twice for one thing on one day."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderLog(models.Model):
    """One owed item put in one user's digest on one day (see twinning.reminders)."""

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
