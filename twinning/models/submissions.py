"""One-time tokens of the site's forms: a form posted twice (a double click, a resend after
a slow answer, two tabs) saves once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
