"""Type-ahead pickers for choices that run into the hundreds (villages, urban branches,
committees).

A picker is a form field whose widget renders only the chosen options and asks an
autocomplete endpoint for the rest as the user types. The endpoint (`PickerView`, on
django-tomselect's `AutocompleteModelView`) answers from `choices()`: the same queryset the
form validates against, so a picker never offers what the server would refuse, and never
more than the policy lets the user see. Tom Select (vendored by django-tomselect, served
from our static files) is started by `static/js/pickers.js`: django-tomselect's own widget
writes inline scripts, which the site's Content-Security-Policy (`script-src 'self'`) refuses.
"""

from functools import cached_property
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_tomselect.autocompletes import AutocompleteModelView

from twinning.shared import permissions

# Tom Select itself, as django-tomselect ships it (its default theme, no Bootstrap).
MEDIA = forms.Media(
    css={"all": ["django_tomselect/vendor/tom-select/css/tom-select.default.min.css",
                 "css/pickers.css"]},
    js=["django_tomselect/js/django-tomselect.min.js", "js/pickers.js"],
)


class PickerView(AutocompleteModelView):
    """An endpoint answering `?q=<text>&p=<page>` with the matching choices as JSON
    (`results`: `id` and `label`; `has_more`). Subclasses set `model`, `action` (what the user
    must be allowed to do at all), `search_lookups` and `choices()`.

    Only logged-in users who may do `action` get an answer (anonymous: to the login page;
    others: 403). The client cannot filter or order by other fields: django-tomselect's
    `f`/`e`/`ordering` parameters are ignored, so no field outside the label can be probed.
    """

    action = "view"
    ordering: tuple[str, ...] = ("name",)
    allowed_ordering_fields: list[str] = []
    page_size = 20

    def has_permission(self, request: HttpRequest, action: str = "view") -> bool:
        user = getattr(request, "user", None)
        self.user = user
        return (action == "view" and user is not None and user.is_authenticated
                and permissions.can(user, self.action))

    def choices(self) -> QuerySet:
        raise NotImplementedError

    def label(self, obj: Model) -> str:
        return str(obj)

    def get_queryset(self) -> QuerySet:
        return self.order_queryset(self.search(self.choices(), self.query))

    def apply_filters(self, queryset: QuerySet) -> QuerySet:
        return queryset

    def prepare_results(self, results: QuerySet) -> list[dict[str, Any]]:
        return [{"id": obj.pk, "label": self.label(obj)} for obj in results]


def _chosen(value: Any) -> list[str]:
    values = value if isinstance(value, (list, tuple)) else [value]
    return [str(v) for v in values if v not in ("", None)]


def _labels(field: forms.ModelChoiceField, values: list[str]) -> dict[str, tuple[Any, str]]:
    """The chosen `values` among the field's choices: key as text -> (key, label), in the
    queryset's order; a tampered value that is no key is left out."""
    keys = []
    for value in values:
        try:
            keys.append(field.queryset.model._meta.pk.to_python(value))
        except ValidationError:
            continue
    if not keys:
        return {}
    return {str(obj.pk): (obj.pk, field.label_from_instance(obj))
            for obj in field.queryset.filter(pk__in=keys)}


class _RowLabels:
    """The chosen options of one picker field over all the rows of a formset (whose rows share
    the field's queryset), read in one query when the first row is rendered."""

    def __init__(self, rows: list[forms.BaseForm], name: str) -> None:
        self.rows, self.name = rows, name

    @cached_property
    def labels(self) -> dict[str, tuple[Any, str]]:
        values = [v for row in self.rows for v in _chosen(row[self.name].value())]
        return _labels(self.rows[0].fields[self.name], values) if values else {}


class PickerRows:
    """A formset mixin: the pickers named in `picker_fields` show their rows' chosen options
    from one query for all the rows, so a page's queries do not grow with its rows."""

    picker_fields: tuple[str, ...] = ()

    @cached_property
    def forms(self) -> list[forms.BaseForm]:
        rows = super().forms  # type: ignore[misc]
        for name in self.picker_fields:
            shared = _RowLabels(rows, name)
            for row in rows:
                row.fields[name].widget.row_labels = shared
        return rows


class _PickerMixin:
    """Renders a select holding only the chosen options (labels from the form field's own
    queryset and `label_from_instance`), with the endpoint in `data-picker`. An endpoint of
    one object (a committee's) takes its URL arguments in `url_args`, set by the form. In a
    formset's row the labels come from all the rows' one query (`PickerRows`)."""

    url_name: str

    def __init__(self, url_name: str, attrs: dict | None = None) -> None:
        super().__init__(attrs)  # type: ignore[call-arg]
        self.url_name = url_name
        self.url_args: tuple = ()
        self.row_labels: _RowLabels | None = None

    @property
    def media(self) -> forms.Media:
        return MEDIA

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        attrs = {**(attrs or {}), "data-picker": reverse(self.url_name, args=self.url_args),
                 "data-placeholder": str(_("输入名称或编码查找")),
                 "data-no-results": str(_("没有找到")),
                 "data-loading": str(_("正在查找…"))}
        return super().get_context(name, value, attrs)  # type: ignore[misc]

    def optgroups(self, name: str, value: list, attrs: dict | None = None) -> list:
        field = getattr(self.choices, "field", None)
        chosen = _chosen(value)
        if field is None or not chosen:
            return []
        labels = (self.row_labels.labels if self.row_labels is not None
                  else _labels(field, chosen))
        shown = [labels[key] for key in labels if key in chosen]
        return [(None, [self.create_option(  # type: ignore[attr-defined]
                    name, pk, label, True, index, attrs=attrs)], index)
                for index, (pk, label) in enumerate(shown)]


class PickerSelect(_PickerMixin, forms.Select):
    pass


class PickerSelectMultiple(_PickerMixin, forms.SelectMultiple):
    pass
