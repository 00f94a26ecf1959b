"""Joint committees as a listing that reads as a report (twinning.shared.exchange.listings):
the urban side and the villages by name, the town, the form. The figures other concepts keep
(aid) join it where the kinds are registered (twinning.apps)."""

from django.utils.translation import gettext_lazy as _

from branches.listings import TOWN_FILTER
from twinning.committees.models import JointCommittee
from twinning.shared.exchange.listings import ListingColumn, ListingFilter, joined


def _state(committee: JointCommittee) -> str:
    if committee.dissolved_on is None:
        return str(_("运行中"))
    return str(_("已撤销（%(day)s）") % {"day": committee.dissolved_on.isoformat()})


COLUMNS = (
    ListingColumn(_("编码"), lambda c: c.code),
    ListingColumn(_("名称"), lambda c: c.name),
    ListingColumn(_("属地镇街"), lambda c: c.town.name),
    ListingColumn(_("联建形式"), lambda c: c.get_form_display()),
    ListingColumn(_("城市党组织"), lambda c: c.urban.name),
    # `active_memberships` is prefetched by the list's selector.
    ListingColumn(_("联建村"), lambda c: joined(m.village.name for m in c.active_memberships)),
    ListingColumn(_("村数"), lambda c: len(c.active_memberships)),
    ListingColumn(_("结对方式"), lambda c: c.get_formation_display()),
    ListingColumn(_("成立日期"), lambda c: c.established_on),
    ListingColumn(_("状态"), _state),
)

FILTERS = (
    ListingFilter("q", _("搜索")),
    TOWN_FILTER,
    ListingFilter("form", _("联建形式"), JointCommittee.Form),
    ListingFilter("formation", _("结对方式"), JointCommittee.Formation),
    ListingFilter("status", _("状态"),
                  {"active": _("运行中"), "dissolved": _("已撤销"), "all": _("全部")},
                  default="active"),
)


def committee_name(code: str) -> str:
    return JointCommittee.objects.filter(code=code).values_list("name", flat=True).first() or code
