"""Aid projects as a listing that reads as a report, and the aid figures of each committee
for the committees' listing (twinning.shared.exchange.listings)."""

from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from branches.listings import TOWN_FILTER
from twinning.aid.models import ZERO, AidProject, Mechanism, ProjectProgress
from twinning.committees import listings as committee_listings
from twinning.shared.exchange.listings import Listing, ListingColumn, ListingFilter

MONEY = DecimalField(max_digits=16, decimal_places=2)


def committee_figures(committees: QuerySet) -> QuerySet:
    """Each committee's aid projects, actual investment and jobs (progress reports' sums),
    and households helped: subqueries, so one query whatever the number of committees."""
    projects = AidProject.objects.filter(committee=OuterRef("pk")).order_by().values("committee")
    reports = ProjectProgress.objects.filter(project__committee=OuterRef("pk")).order_by().values(
        "project__committee")
    return committees.annotate(
        aid_project_count=Coalesce(
            Subquery(projects.annotate(n=Count("pk")).values("n")), Value(0)),
        aid_households=Coalesce(
            Subquery(projects.annotate(n=Sum("households")).values("n")), Value(0)),
        aid_investment=Coalesce(
            Subquery(reports.annotate(s=Sum("investment")).values("s")), Value(ZERO),
            output_field=MONEY),
        aid_jobs=Coalesce(Subquery(reports.annotate(s=Sum("jobs")).values("s")), Value(0)),
    )


COMMITTEES = Listing(
    title=_("联合党组织名单"),
    columns=(
        *committee_listings.COLUMNS,
        ListingColumn(_("帮扶项目（个）"), lambda c: c.aid_project_count),
        ListingColumn(_("实际投资（元）"), lambda c: c.aid_investment, money=True),
        ListingColumn(_("新增就业（人）"), lambda c: c.aid_jobs),
        ListingColumn(_("受益户数"), lambda c: c.aid_households),
    ),
    filters=committee_listings.FILTERS,
    prepare=committee_figures,
)

PROJECTS = Listing(
    title=_("帮扶项目清单"),
    columns=(
        ListingColumn(_("项目名称"), lambda p: p.title),
        ListingColumn(_("联合党组织"), lambda p: p.committee.name),
        ListingColumn(_("属地镇街"), lambda p: p.committee.town.name),
        ListingColumn(_("类别"), lambda p: p.get_category_display()),
        ListingColumn(_("带动机制"), lambda p: p.get_mechanism_display()),
        ListingColumn(_("出资方"), lambda p: p.funder.name),
        ListingColumn(_("计划投资（元）"), lambda p: p.investment_planned, money=True),
        ListingColumn(_("实际投资（元）"), lambda p: p.investment_actual, money=True),
        ListingColumn(_("新增就业（人）"), lambda p: p.jobs_created),
        ListingColumn(_("受益户数"), lambda p: p.households),
        ListingColumn(_("状态"), lambda p: p.get_status_display()),
        ListingColumn(_("开工日期"), lambda p: p.started_on),
        ListingColumn(_("完成日期"), lambda p: p.finished_on),
    ),
    filters=(
        ListingFilter("q", _("搜索")),
        TOWN_FILTER,
        ListingFilter("committee", _("联合党组织"), committee_listings.committee_name),
        ListingFilter("category", _("类别"), AidProject.Category),
        ListingFilter("mechanism", _("带动机制"), Mechanism),
        ListingFilter("status", _("状态"), AidProject.Status),
    ),
)
