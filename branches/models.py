from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# A mainland mobile number: 11 digits beginning with 1, optionally after +86 (as the SMS
# gateways take it). Stored as typed; a stored value that predates the rule is kept until the
# member is next changed.
validate_mobile = RegexValidator(
    r"^(?:\+86)?1[3-9][0-9]{9}$", _("请填写11位手机号码，如 13800000000。"), code="invalid_phone"
)


class Town(models.Model):
    """A town (镇) or subdistrict (街道); its party (working) committee leads local committees."""

    class Kind(models.TextChoices):
        TOWN = "town", _("镇")
        SUBDISTRICT = "subdistrict", _("街道")

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    # The town's WeCom group robot (企业微信群机器人): reminders for the town's people are
    # posted to it (twinning.shared.channels); set by the town's staff or the department.
    wecom_webhook = models.URLField(
        _("企业微信群机器人地址"), max_length=300, blank=True,
        help_text=_("在企业微信群中添加群机器人后复制的Webhook地址。"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("镇街")
        verbose_name_plural = _("镇街")
        permissions = [("manage_town", _("管理本镇街的联合党组织"))]

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    """A party organisation: an urban branch (residents, enterprise, department) or a village."""

    class Kind(models.TextChoices):
        RESIDENTS = "residents", _("居委会")
        ENTERPRISE = "enterprise", _("企业")
        DEPARTMENT = "department", _("部门")
        VILLAGE = "village", _("村")

    URBAN_KINDS = (Kind.RESIDENTS, Kind.ENTERPRISE, Kind.DEPARTMENT)
    # City departments and enterprises may stand outside any town.
    TOWNLESS_KINDS = (Kind.ENTERPRISE, Kind.DEPARTMENT)

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    town = models.ForeignKey(
        Town,
        verbose_name=_("所在镇街"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
    )
    secretary = models.CharField(_("书记"), max_length=64, blank=True)
    industries = models.CharField(
        _("产业"), max_length=255, blank=True, help_text=_("多个产业用分号“;”分隔")
    )
    weak = models.BooleanField(_("薄弱村"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="village") | Q(weak=False),
                name="branch_only_villages_are_weak",
                violation_error_message=_("只有村党组织可以标记为薄弱村。"),
            ),
            models.CheckConstraint(
                condition=Q(town__isnull=False) | Q(kind__in=["enterprise", "department"]),
                name="branch_town_required",
                violation_error_message=_("村和居委会必须填写所在镇街。"),
            ),
        ]
        indexes = [models.Index(fields=["kind", "town"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("branch_detail", args=[self.code])

    @property
    def is_village(self) -> bool:
        return self.kind == self.Kind.VILLAGE

    @property
    def industry_list(self) -> list[str]:
        parts = self.industries.replace("；", ";").split(";")
        return [item.strip() for item in parts if item.strip()]


class Member(models.Model):
    """A party member of one branch, with their role on its committee."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("书记")
        DEPUTY = "deputy", _("副书记")
        COMMITTEE = "committee", _("委员")
        MEMBER = "member", _("党员")

    branch = models.ForeignKey(
        Branch, verbose_name=_("所在党组织"), on_delete=models.PROTECT, related_name="members"
    )
    # The member number (党员编号): optional, unique in the city when given, and the key that
    # tells two members of one branch who share a name apart (DESIGN §5). NULL when not given,
    # so that any number of members may lack one.
    number = models.CharField(
        _("党员编号"), max_length=32, null=True, blank=True, unique=True,
        error_messages={"unique": _("已有党员使用这个党员编号。")},
        help_text=_("同一党组织内有同名党员时必填，全市唯一。"),
    )
    name = models.CharField(_("姓名"), max_length=64)
    role = models.CharField(_("职务"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    phone = models.CharField(
        _("联系电话"), max_length=32, blank=True, validators=[validate_mobile],
        help_text=_("手机号码，11位，如 13800000000。"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["branch__code", "role", "name", "number"]
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        constraints = [
            # Two members of one branch may share a name; a name without a number is still
            # the key of one member, so namesakes carry their numbers.
            models.UniqueConstraint(
                fields=["branch", "name"],
                condition=Q(number__isnull=True),
                name="member_unique_unnumbered_name_in_branch",
                violation_error_message=_("同一党组织内已有同名党员，请填写党员编号以区分。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("member_detail", args=[self.pk])

    @property
    def particulars(self) -> str:
        """What tells two namesakes apart: number, role and year joined (those known)."""
        facts = [self.number or "", str(self.get_role_display()),
                 gettext("%(year)s年入党") % {"year": self.joined_on.year}
                 if self.joined_on else ""]
        return " · ".join(fact for fact in facts if fact)

    @property
    def distinguished(self) -> str:
        """The name with its particulars, where a namesake may be meant (choices, previews)."""
        return gettext("%(name)s（%(facts)s）") % {"name": self.name, "facts": self.particulars}


class UnitOffer(models.Model):
    """A city-level unit (an enterprise or department outside any town) that the department
    has offered to one town as a possible urban side: town staff may pick it for their
    committees (DESIGN §2). Town staff pick among their own town's branches and these only."""

    branch = models.ForeignKey(
        Branch, verbose_name=_("市直单位"), on_delete=models.CASCADE, related_name="offers"
    )
    town = models.ForeignKey(
        Town, verbose_name=_("镇街"), on_delete=models.CASCADE, related_name="offered_units"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["branch__code", "town__code"]
        verbose_name = _("提供给镇街的市直单位")
        verbose_name_plural = _("提供给镇街的市直单位")
        constraints = [
            models.UniqueConstraint(fields=["branch", "town"], name="unit_offer_once_per_town")
        ]

    def __str__(self) -> str:
        return f"{self.branch} → {self.town}"
