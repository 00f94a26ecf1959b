from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from branches.models import Branch, Town


class JointCommittee(models.Model):
    """A joint committee (联合党组织): one urban branch with 2 to 4 village branches."""

    class Form(models.TextChoices):
        VILLAGE_RESIDENTS = "village_residents", _("村居联建")
        VILLAGE_ENTERPRISE = "village_enterprise", _("村企联建")
        DEPARTMENT_VILLAGE = "department_village", _("部门村庄联建")

    class Formation(models.TextChoices):
        ASSIGNED = "assigned", _("定对")
        VOLUNTARY = "voluntary", _("结对")

    FORM_BY_URBAN_KIND = {
        Branch.Kind.RESIDENTS: Form.VILLAGE_RESIDENTS,
        Branch.Kind.ENTERPRISE: Form.VILLAGE_ENTERPRISE,
        Branch.Kind.DEPARTMENT: Form.DEPARTMENT_VILLAGE,
    }
    MIN_VILLAGES = 2
    MAX_VILLAGES = 4

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    urban = models.ForeignKey(
        Branch,
        verbose_name=_("城市党组织"),
        on_delete=models.PROTECT,
        related_name="led_committees",
        limit_choices_to=~Q(kind=Branch.Kind.VILLAGE),
    )
    # Derived from the urban branch's kind by the services; stored so lists filter by it.
    form = models.CharField(_("联建形式"), max_length=24, choices=Form.choices, editable=False)
    formation = models.CharField(_("结对方式"), max_length=16, choices=Formation.choices)
    # Territorial management: the town where the villages lie leads the committee.
    town = models.ForeignKey(
        Town, verbose_name=_("属地镇街"), on_delete=models.PROTECT, related_name="committees"
    )
    established_on = models.DateField(_("成立日期"))
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("联合党组织")
        verbose_name_plural = _("联合党组织")
        permissions = [
            ("manage_committee", _("管理本联合党组织的日常工作")),
            ("inspect_committee", _("督查本联合党组织")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(dissolved_on__gte=models.F("established_on")),
                name="committee_dissolved_after_established",
                violation_error_message=_("撤销日期不能早于成立日期。"),
            )
        ]
        indexes = [models.Index(fields=["town", "form"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("committee_detail", args=[self.code])

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None


class CommitteeVillage(models.Model):
    """A village's time in a committee; the rows with no end date are its current villages."""

    committee = models.ForeignKey(
        JointCommittee, on_delete=models.CASCADE, related_name="memberships",
        verbose_name=_("联合党组织"),
    )
    village = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="committee_memberships",
        verbose_name=_("村党组织"), limit_choices_to={"kind": Branch.Kind.VILLAGE},
    )
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    left_reason = models.CharField(_("退出原因"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["committee", "joined_on", "village__code"]
        verbose_name = _("联建村")
        verbose_name_plural = _("联建村")
        constraints = [
            models.UniqueConstraint(
                fields=["village"],
                condition=Q(left_on__isnull=True),
                name="village_in_one_active_committee",
                violation_error_message=_("该村已在另一个联合党组织中。"),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="village_left_after_joined",
                violation_error_message=_("退出日期不能早于加入日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee} — {self.village}"

    @property
    def is_active(self) -> bool:
        return self.left_on is None


class TownUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Town, on_delete=models.CASCADE)


class CommitteeUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(JointCommittee, on_delete=models.CASCADE)
