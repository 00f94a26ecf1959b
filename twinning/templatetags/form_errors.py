"""`{% error_items form formset row_label as items %}`: the messages a form's error summary
lists (templates/includes/error_summary.html), each with the id of the field it links to."""

from collections.abc import Iterator
from typing import Any, NamedTuple

from django import forms, template

register = template.Library()


class ErrorItem(NamedTuple):
    anchor: str  # the id of the field to go to; "" for a message about the whole form
    text: str


def _form_items(form: forms.BaseForm, prefix: str = "") -> Iterator[ErrorItem]:
    for message in form.non_field_errors():
        yield ErrorItem("", f"{prefix}：{message}" if prefix else message)
    for field in form:
        for message in field.errors:
            if field.is_hidden:
                yield ErrorItem("", message)
            else:
                label = f"{prefix} · {field.label}" if prefix else field.label
                yield ErrorItem(field.id_for_label, f"{label}：{message}")


@register.simple_tag
def error_items(form: Any, formset: Any = None, row_label: str = "") -> list[ErrorItem]:
    """Every message of `form` and, if given, of the rows of `formset` (a row's named
    "<row_label> <number>"), in the order they appear on the page."""
    items = list(_form_items(form)) if getattr(form, "is_bound", False) else []
    if getattr(formset, "is_bound", False):
        items += [ErrorItem("", message) for message in formset.non_form_errors()]
        for number, row in enumerate(formset, start=1):
            items += _form_items(row, f"{row_label} {number}".strip())
    return items
