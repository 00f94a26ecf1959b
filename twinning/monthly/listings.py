"""Monthly updates as a listing that reads as a report (twinning.shared.exchange.listings)."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from branches.listings import TOWN_FILTER
from twinning.committees.listings import committee_name
from twinning.monthly import services
from twinning.monthly.models import MonthlyUpdate
from twinning.monthly.rules import Filing
from twinning.shared.exchange.listings import Listing, ListingColumn, ListingFilter
from twinning.shared.periods import format_period


def _prepare(updates: QuerySet) -> QuerySet:
    return updates.select_related("committee__town")


def _meeting(update: MonthlyUpdate) -> str:
    if update.meeting_held is None:
        return ""
    return str(_("是") if update.meeting_held else _("否"))


def _figure(name: str) -> ListingColumn:
    return ListingColumn(MonthlyUpdate._meta.get_field(name).verbose_name,
                         lambda u: getattr(u, name), money=name == "investment_yuan")


UPDATES = Listing(
    title=_("月度工作报告报送表"),
    columns=(
        ListingColumn(_("联合党组织"), lambda u: u.committee.name),
        ListingColumn(_("属地镇街"), lambda u: u.committee.town.name),
        ListingColumn(_("月份"), lambda u: format_period(u.period)),
        ListingColumn(_("状态"), lambda u: u.get_status_display()),
        ListingColumn(_("首次报送日期"), services.first_submitted_on),
        ListingColumn(_("召开联合党组织会议"), _meeting),
        *(_figure(name) for name in MonthlyUpdate.FIGURES),
        ListingColumn(_("工作小结"), lambda u: u.summary),
    ),
    filters=(
        ListingFilter("month", _("月份")),
        ListingFilter("committee", _("联合党组织"), committee_name),
        TOWN_FILTER,
        ListingFilter("status", _("报送情况"), Filing),
    ),
    prepare=_prepare,
)
