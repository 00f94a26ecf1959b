"""Branches and members as listings that read as reports (twinning.shared.exchange.listings)."""

from django.utils.translation import gettext_lazy as _

from branches.models import Branch, Member, Town
from twinning.shared.exchange.listings import Listing, ListingColumn, ListingFilter


def town_name(code: str) -> str:
    """A town's name for a title row's filter (one query, once per export)."""
    return Town.objects.filter(code=code).values_list("name", flat=True).first() or code


def branch_name(code: str) -> str:
    return Branch.objects.filter(code=code).values_list("name", flat=True).first() or code


def _village_only(branch: Branch, value: bool) -> str:
    if branch.kind != Branch.Kind.VILLAGE:
        return ""
    return str(_("是") if value else _("否"))


TOWN_FILTER = ListingFilter("town", _("镇街"), town_name)

BRANCHES = Listing(
    title=_("党组织名册"),
    columns=(
        ListingColumn(_("编码"), lambda b: b.code),
        ListingColumn(_("名称"), lambda b: b.name),
        ListingColumn(_("类型"), lambda b: b.get_kind_display()),
        ListingColumn(_("所在镇街"), lambda b: b.town.name if b.town else ""),
        # The list annotates `personal`: whether the user may read the secretary's name.
        ListingColumn(_("书记"), lambda b: b.secretary if getattr(b, "personal", False) else ""),
        ListingColumn(_("产业"), lambda b: b.industries.replace(";", "、")),
        ListingColumn(_("薄弱村"), lambda b: _village_only(b, b.weak)),
        ListingColumn(_("已联建"), lambda b: _village_only(b, b.joined)),
        ListingColumn(_("党员（人）"), lambda b: b.member_count),
    ),
    filters=(
        ListingFilter("q", _("搜索")),
        ListingFilter("kind", _("类型"), Branch.Kind),
        TOWN_FILTER,
        ListingFilter("weak", _("薄弱村"), {"yes": _("是")}),
        ListingFilter("joined", _("联建情况"), {"yes": _("已联建"), "no": _("未联建")}),
    ),
)

MEMBERS = Listing(
    title=_("党员名册"),
    columns=(
        ListingColumn(_("姓名"), lambda m: m.name),
        ListingColumn(_("党员编号"), lambda m: m.number or ""),
        ListingColumn(_("职务"), lambda m: m.get_role_display()),
        ListingColumn(_("所在党组织"), lambda m: m.branch.name),
        ListingColumn(_("所在镇街"), lambda m: m.branch.town.name if m.branch.town else ""),
        ListingColumn(_("入党日期"), lambda m: m.joined_on),
        ListingColumn(_("联系电话"), lambda m: m.phone),
    ),
    filters=(
        ListingFilter("q", _("搜索")),
        ListingFilter("branch", _("党组织"), branch_name),
        ListingFilter("role", _("职务"), Member.Role),
    ),
)
