"""Exports that read as reports (names, town, form, figures, widths, a title row), beside the
import format, which stays for round trips."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import MemberFactory, MonthlyUpdateFactory, make_committee
from tests.factories_aid import AidProjectFactory, ProgressFactory
from twinning.shared.exchange.listings import display_width
from twinning.shared.models import PersonalDataAccess

pytestmark = pytest.mark.django_db


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).worksheets[0]


def _values(sheet, row: int) -> list:
    return [cell.value for cell in sheet[row]]


def test_the_committee_report_names_the_urban_side_villages_town_and_figures(
    client, department_user, committee
) -> None:
    project = AidProjectFactory(committee=committee)
    ProgressFactory(project=project, investment=Decimal("1234567.80"), jobs=7)
    client.force_login(department_user)
    sheet = _sheet(client.get(reverse("listing_committees"), {"town": committee.town.code}))

    assert sheet["A1"].value == "联合党组织名单"
    today = datetime.date.today().isoformat()
    assert sheet["A2"].value == (
        f"筛选条件：镇街：{committee.town.name}；状态：运行中　导出日期：{today}　共 1 条")
    headers = _values(sheet, 3)
    assert headers[:10] == ["编码", "名称", "属地镇街", "联建形式", "城市党组织", "联建村", "村数",
                            "结对方式", "成立日期", "状态"]
    row = dict(zip(headers, _values(sheet, 4), strict=True))
    villages = [m.village.name for m in committee.memberships.order_by("village__code")]
    assert row["名称"] == committee.name and row["属地镇街"] == committee.town.name
    assert row["城市党组织"] == committee.urban.name
    assert row["联建形式"] == committee.get_form_display()
    assert sorted(row["联建村"].split("、")) == sorted(villages)
    assert row["村数"] == len(villages)
    figures = (row["帮扶项目（个）"], row["实际投资（元）"], row["新增就业（人）"])
    assert figures == (1, 1234567.8, 7)
    assert sheet.cell(4, headers.index("实际投资（元）") + 1).number_format == "#,##0.00"
    assert sheet.cell(4, headers.index("成立日期") + 1).number_format == "yyyy-mm-dd"
    # No code of a village or of the urban side in the cells a reader reads.
    assert committee.urban.code not in row["城市党组织"]
    assert not any(m.village.code in row["联建村"] for m in committee.memberships.all())


def test_report_columns_are_as_wide_as_what_they_hold(client, department_user, committee) -> None:
    client.force_login(department_user)
    sheet = _sheet(client.get(reverse("listing_committees")))
    headers = _values(sheet, 3)
    for index, header in enumerate(headers, start=1):
        letter = sheet.cell(3, index).column_letter
        cells = [sheet.cell(r, index).value for r in range(3, 5)]
        # A date cell reads back as a datetime; it shows as YYYY-MM-DD.
        longest = max(display_width(v.date() if isinstance(v, datetime.datetime) else v)
                      for v in cells)
        width = sheet.column_dimensions[letter].width
        assert longest + 2 <= width <= max(longest + 2, 6), header
    assert sheet.freeze_panes == "A4"


def test_display_width_counts_chinese_characters_twice() -> None:
    assert display_width("北朱解村") == 8
    assert display_width("D008") == 4
    assert display_width(Decimal("1234567.8")) == len("1,234,567.80")


def test_the_list_pages_offer_the_report_beside_the_import_format(
    client, department_user, committee
) -> None:
    client.force_login(department_user)
    body = client.get(reverse("committee_list"), {"town": committee.town.code}).content.decode()
    assert f'href="/exchange/listing/committees.xlsx?town={committee.town.code}"' in body
    assert f'href="/exchange/export/committees.xlsx?town={committee.town.code}"' in body
    for name, kind in (("branch_list", "branches"), ("member_list", "members"),
                       ("project_list", "aid_projects"),
                       ("monthly_completeness", "monthly_updates")):
        assert f"/exchange/listing/{kind}.xlsx?" in client.get(reverse(name)).content.decode()


def test_a_report_holds_only_what_the_list_shows(
    client, town_user, committee, other_committee
) -> None:
    client.force_login(town_user)
    sheet = _sheet(client.get(reverse("listing_committees")))
    assert [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)] == [committee.name]


def test_the_members_report_records_the_read_of_personal_data(
    client, town_user, committee, inspector_user
) -> None:
    member = MemberFactory(branch=committee.urban, name="报表党员", phone="13900000000",
                           number="370782099")
    client.force_login(town_user)
    sheet = _sheet(client.get(reverse("listing_members")))
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert rows == [("报表党员", "370782099", member.get_role_display(), committee.urban.name,
                     committee.town.name, member.joined_on and datetime.datetime.combine(
                         member.joined_on, datetime.time()), "13900000000")]
    record = PersonalDataAccess.objects.get()
    assert record.user == town_user and record.member_ids == [member.pk]
    client.force_login(inspector_user)
    assert client.get(reverse("listing_members")).status_code == 403


def test_the_monthly_and_project_reports_carry_names_and_figures(
    client, department_user, committee
) -> None:
    update = MonthlyUpdateFactory(committee=committee)
    AidProjectFactory(committee=committee, title="蔬菜大棚")
    client.force_login(department_user)
    projects = _sheet(client.get(reverse("listing_aid_projects")))
    row = dict(zip(_values(projects, 3), _values(projects, 4), strict=True))
    assert (row["项目名称"], row["联合党组织"], row["出资方"]) == (
        "蔬菜大棚", committee.name, committee.urban.name)
    updates = _sheet(client.get(reverse("listing_monthly_updates"),
                                {"committee": committee.code}))
    row = dict(zip(_values(updates, 3), _values(updates, 4), strict=True))
    assert (row["联合党组织"], row["属地镇街"], row["月份"]) == (
        committee.name, committee.town.name, f"{update.period:%Y-%m}")
    assert "联合党组织：" + committee.name in updates["A2"].value


def test_reports_make_a_fixed_number_of_queries(client, department_user, town) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(department_user)
    kinds = ("committees", "branches", "members", "monthly_updates", "aid_projects")

    def committee_with_records():
        committee = make_committee(town=town, villages=3)
        MonthlyUpdateFactory(committee=committee)
        ProgressFactory(project=AidProjectFactory(committee=committee))
        MemberFactory(branch=committee.urban)

    def counts():
        found = []
        for kind in kinds:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(f"listing_{kind}")).status_code == 200
            found.append(len(queries.captured_queries))
        return found

    committee_with_records()
    counts()
    small = counts()
    for _ in range(6):
        committee_with_records()
    assert counts() == small
