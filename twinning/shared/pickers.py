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

from typing import Any

from django import forms
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


class _PickerMixin:
    """Renders a select holding only the chosen options (labels from the form field's own
    queryset and `label_from_instance`), with the endpoint in `data-picker`. An endpoint of
    one object (a committee's) takes its URL arguments in `url_args`, set by the form."""

    url_name: str

    def __init__(self, url_name: str, attrs: dict | None = None) -> None:
        super().__init__(attrs)  # type: ignore[call-arg]
        self.url_name = url_name
        self.url_args: tuple = ()

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
        chosen = [v for v in value if v not in ("", None)]
        if field is None or not chosen:
            return []
        try:
            objects = list(field.queryset.filter(pk__in=chosen))
        except (ValueError, TypeError):  # a tampered value that is no key: nothing to show
            return []
        groups = []
        for index, obj in enumerate(objects):
            option = self.create_option(  # type: ignore[attr-defined]
                name, obj.pk, field.label_from_instance(obj), True, index, attrs=attrs)
            groups.append((None, [option], index))
        return groups


class PickerSelect(_PickerMixin, forms.Select):
    pass


class PickerSelectMultiple(_PickerMixin, forms.SelectMultiple):
    pass
