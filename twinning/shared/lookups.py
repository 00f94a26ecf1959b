"""Small helpers every page uses: finding an object the user may reach, pagination and
showing a service's errors on a form."""

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from twinning.shared import permissions

logger = logging.getLogger(__name__)
T = TypeVar("T")


def require(request: HttpRequest, action: str) -> None:
    """403 unless the user may do `action` at all (the policy's `can` with no object)."""
    if not permissions.can(request.user, action):
        raise PermissionDenied


def get_visible(request: HttpRequest, qs: QuerySet, action: str = "view", **lookup: Any) -> Model:
    """The object if the user may see it (else 404) and may do `action` on it (else 403)."""
    obj = get_object_or_404(permissions.visible(request.user, qs), **lookup)
    if action != "view" and not permissions.can(request.user, action, obj):
        raise PermissionDenied
    return obj


def filtered_list(
    request: HttpRequest, form: forms.Form, rows: Callable[[dict[str, Any]], QuerySet]
) -> dict[str, Any]:
    """A list page's context: `rows(filters)` paginated, with the filter form bound to the query
    string (an invalid filter shows its message and is not applied) and whether any applies."""
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return {"page": paginate(request, rows(filters)), "filter_form": form,
            "filtered": any(filters.values())}


def paginate(request: HttpRequest, qs: QuerySet | Sequence, per_page: int | None = None,
             param: str = "page", count: int | None = None) -> Page:
    """A page of `qs`; a page number that is out of range or not a number shows the nearest.
    `param` names the page number in the address, for a second paged table on one page
    (includes/pagination.html links with it); `count`, the number of rows when it is already
    known (a kept figure), spares the count query."""
    paginator = Paginator(qs, per_page or settings.PAGE_SIZE)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value
    page = paginator.get_page(request.GET.get(param))
    page.param = param
    return page












