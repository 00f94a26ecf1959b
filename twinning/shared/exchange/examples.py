"""The templates' example rows and the changes a clerk must see before confirming an import.

Example rows name records by codes with a reserved prefix (`EXAMPLE_PREFIX`), so they match
no real record; an import refuses such a row with a message of its own rather than whatever
else the row would say. A stored record's name or secretary replaced by a row is pointed out
in the preview (old → new): a wrong code in a file would otherwise overwrite it quietly.
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from twinning.shared.exchange.files import unescape_formula
from twinning.shared.exchange.resources import CodeWidget, ExchangeResource, is_example

EXAMPLE_ROW = gettext_lazy("这是模板中的示例行（编码以“%(prefix)s”开头，不对应任何真实记录），"
                    "请删除这一行或改成真实数据后再导入。")


def example_rows(
    resource: ExchangeResource, numbers: list[int], dataset: Any,
    where: dict[str, tuple[str, str]],
) -> dict[int, tuple[str, str]]:
    """Rows naming a record by a code with the templates' reserved prefix, by row number,
    with the column (letter, header) where the code stands."""
    coded = [column.column_name for column in resource.columns()
             if column.column_name in where
             and (column.column_name in resource.get_import_id_fields()
                  or isinstance(column.widget, CodeWidget))]
    found = {}
    for number, row in zip(numbers, dataset.dict, strict=True):
        for key in coded:
            if is_example(unescape_formula(str(row[key]).strip())):
                found[number] = where[key]
                break
    return found


def alerts(resource: ExchangeResource, change: Any) -> list[str]:
    """What a clerk must see before confirming: a stored record's name or secretary replaced
    (a wrong code in the file would otherwise overwrite someone else's record quietly)."""
    if change.created:
        return []
    watched = {str(resource.fields[key].label) for key in resource.watched
               if key in resource.fields}
    return [
        _("第%(row)s行将把「%(subject)s」的%(label)s由「%(before)s」改为「%(after)s」，"
          "请确认编码无误。") % {"row": change.row, "subject": change.subject, "label": label,
                          "before": before, "after": after}
        for label, before, after in change.cells
        if str(label) in watched and before
    ]
