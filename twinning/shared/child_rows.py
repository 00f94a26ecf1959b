"""Child rows edited on their parent's form: an inspection's rectification items, a meeting's
action items. The form submits rows (new, changed or to delete); the services check and save
them with the parent, in its transaction."""

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import BaseFormSet
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ChildRow:
    """One submitted row: its values, the id of the row it changes (None: a new row)."""

    values: dict[str, Any] = field(default_factory=dict)
    pk: int | None = None
    delete: bool = False


def bind_rows(
    form: forms.BaseForm, formset_class: type[BaseFormSet], *, queryset: Any, date_field: str,
    **form_kwargs: Any,
) -> tuple[BaseFormSet, bool]:
    """The parent's rows (prefix `items`), bound like its form and checked against the date
    the form gives in `date_field`; and whether the form and all the rows are valid.

    Both are validated, so every message shows at once.
    """
    if not form.is_bound:
        return formset_class(queryset=queryset, prefix="items",
                             form_kwargs={"start": None, **form_kwargs}), False
    form_valid = form.is_valid()
    formset = formset_class(form.data, queryset=queryset, prefix="items", form_kwargs={
        "start": form.cleaned_data.get(date_field), **form_kwargs})
    rows_valid = formset.is_valid()
    return formset, form_valid and rows_valid


def rows_from_formset(formset: BaseFormSet, fields: Sequence[str]) -> list[ChildRow]:
    """The rows of a valid model formset; blank extra rows are left out."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        # The id the form sent back: a model formset quietly turns a row whose id is not in
        # its queryset (say, an item closed meanwhile) into a new row; the services refuse it.
        submitted = data.get("id")
        pk = submitted.pk if submitted is not None else form.instance.pk
        if data.get("DELETE"):
            if pk is not None:
                rows.append(ChildRow(pk=pk, delete=True))
            continue
        if not data:
            continue
        rows.append(ChildRow(values={name: data[name] for name in fields}, pk=pk))
    return rows


class ChildRowForm(forms.ModelForm):
    """A row's form; its `due_on` may not come before the parent's date (`start`)."""

    start_message = ""

    def __init__(self, *args: Any, start: datetime.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start = start

    def clean_due_on(self) -> datetime.date:
        due_on = self.cleaned_data["due_on"]
        if self.start and due_on and due_on < self.start:
            raise forms.ValidationError(self.start_message)
        return due_on


def check_rows(existing: Mapping[int, Model], rows: Sequence[ChildRow], label: str) -> None:
    """Every changed row must be one the parent may still change (e.g. not closed meanwhile)."""
    stale = [n for n, row in enumerate(rows, start=1) if row.pk is not None
             and row.pk not in existing]
    if stale:
        raise ValidationError(
            _("第%(rows)s项%(label)s已不能修改（可能已被他人办结或删除），请刷新页面后再试。")
            % {"rows": "、".join(map(str, stale)), "label": label}
        )


def due_date_errors(
    rows: Sequence[ChildRow], earliest: datetime.date, message: str
) -> list[str]:
    """`message` (with the row number as `%(n)s`) for each kept row due before `earliest`."""
    return [
        message % {"n": number}
        for number, row in enumerate(rows, start=1)
        if not row.delete and row.values.get("due_on") and row.values["due_on"] < earliest
    ]


def save_rows(
    existing: Mapping[int, Model], rows: Sequence[ChildRow], create: Callable[..., Model]
) -> None:
    """Create new rows with `create(**values)`, change the changed ones, delete those marked.

    Unchanged rows are not saved, so the audit trail shows only real changes.
    """
    for row in rows:
        if row.pk is None:
            obj = create(**row.values)
        else:
            obj = existing[row.pk]
            if row.delete:
                obj.delete()
                continue
            changed = {k: v for k, v in row.values.items() if getattr(obj, k) != v}
            if not changed:
                continue
            for name, value in changed.items():
                setattr(obj, name, value)
        obj.full_clean()
        obj.save()
