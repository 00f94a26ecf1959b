"""What the twice-yearly rounds (democratic review, assessment) have in common."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def user_fk(label: str) -> models.ForeignKey:
    """Who did something; kept when the user is deleted, as history names them anyway."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=label, null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )


class HalfYearRound(models.Model):
    """A round for the first or second half of a year, opened and closed by the department."""

    class Half(models.TextChoices):
        FIRST = "first", _("上半年")
        SECOND = "second", _("下半年")

    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    half = models.CharField(_("半年"), max_length=8, choices=Half.choices)
    opened_on = models.DateField(_("开始日期"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    opened_by = user_fk(_("开启人"))
    closed_by = user_fk(_("关闭人"))

    class Meta:
        abstract = True
        ordering = ["-year", "-half"]

    def __str__(self) -> str:
        return gettext("%(year)s年%(half)s") % {"year": self.year, "half": self.get_half_display()}
