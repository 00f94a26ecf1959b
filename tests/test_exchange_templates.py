"""The templates' example rows are fictional, an unchanged template is refused, and the
preview points out a stored record's name or secretary about to be replaced."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from branches.models import Branch
from tests.exchange_helpers import csv_bytes, history_rows
from tests.factories import VillageFactory
from twinning.shared.exchange import KINDS
from twinning.shared.exchange.resources import CodeWidget

pytestmark = pytest.mark.django_db

REFUSED = ("这是模板中的示例行（编码以“示例”开头，不对应任何真实记录），"
           "请删除这一行或改成真实数据后再导入。")


def _upload(client, kind: str, content: bytes, name: str):
    return client.post(reverse("exchange_import"), {
        "kind": kind, "file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize("kind", ["towns", "branches", "members", "committees",
                                  "monthly_updates", "aid_projects"])
def test_every_template_example_names_only_reserved_codes(kind) -> None:
    resource = KINDS[kind].resource_class
    example = dict(resource.example)
    first_key = resource._meta.import_id_fields[0]
    coded = {first_key} | {c.column_name for c in resource.columns()
                           if isinstance(c.widget, CodeWidget)}
    for key in coded:
        codes = [part for part in example.get(key, "").split(";") if part]
        assert codes and all(code.startswith("示例") for code in codes), (kind, key, codes)
    assert "北朱解村" not in str(example) and "370782001" not in str(example)


@pytest.mark.parametrize("kind", ["towns", "branches", "members", "committees",
                                  "monthly_updates", "aid_projects"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_unchanged_template_is_refused_with_a_clear_message(
    client, department_user, kind, fmt
) -> None:
    client.force_login(department_user)
    template = client.get(reverse("exchange_template", args=[kind, fmt])).content
    before = history_rows()
    report = _upload(client, kind, template, f"template.{fmt}").context["report"]
    assert [str(p) for p in report.problems] == [
        f"第2行 A列「{KINDS[kind].resource_class.columns()[0].label}」：{REFUSED}"]
    assert history_rows() == before


def test_a_branch_whose_code_names_a_real_one_cannot_be_the_template_row(
    client, department_user, town
) -> None:
    """The old example (a real village's code) proposed to replace its secretary."""
    village = VillageFactory(code="370782001-V001", name="北朱解村", town=town,
                             secretary="张明")
    client.force_login(department_user)
    template = client.get(reverse("exchange_template", args=["branches", "csv"])).content
    report = _upload(client, "branches", template, "template.csv").context["report"]
    assert not report.changes
    village.refresh_from_db()
    assert village.secretary == "张明"


def test_the_preview_warns_before_a_secretary_or_name_is_replaced(
    client, department_user, town
) -> None:
    village = VillageFactory(name="北朱解村", town=town, secretary="张明")
    client.force_login(department_user)
    rows = [["编码", "名称", "书记"], [village.code, "北朱解村", "李强"]]
    response = _upload(client, "branches", csv_bytes(rows), "书记.csv")
    report = response.context["report"]
    assert report.ok and report.changed == 1
    alert = "第2行将把「北朱解村」的书记由「张明」改为「李强」，请确认编码无误。"
    assert report.alerts == [alert]
    assert alert in response.content.decode()
    renamed = _upload(client, "branches", csv_bytes([["编码", "名称"], [village.code, "南村"]]),
                      "名称.csv").context["report"]
    assert renamed.alerts == ["第2行将把「南村」的名称由「北朱解村」改为「南村」，请确认编码无误。"]
    # A new branch replaces nobody's: nothing to warn about.
    created = _upload(client, "branches", csv_bytes(
        [["编码", "名称", "类型", "所在镇街", "书记"], ["V-NEW", "新村", "村", town.code, "王五"]]),
        "新建.csv").context["report"]
    assert created.ok and created.alerts == []
    assert Branch.objects.get(pk=village.pk).secretary == "张明"
