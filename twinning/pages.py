"""Small helpers every page uses: finding an object the user may reach, pagination and
showing a service's errors on a form."""

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import DatabaseError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from . import permissions

logger = logging.getLogger(__name__)
T = TypeVar("T")


def require_role(request: HttpRequest, *roles: str) -> str:
    """The user's role if it is one of `roles`, else 403."""
    role = permissions.role_of(request.user)
    if role not in roles:
        raise PermissionDenied
    return role


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


def paginate(request: HttpRequest, qs: QuerySet, per_page: int | None = None) -> Page:
    """A page of `qs`; a page number that is out of range or not a number shows the nearest."""
    return Paginator(qs, per_page or settings.PAGE_SIZE).get_page(request.GET.get("page"))


def show_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where the form has one."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def attempt(form: forms.Form, action: Callable[..., T], /, **kwargs: Any) -> T | None:
    """Run a service for a form; on failure put the reason on the form and return None.

    Rule violations (ValidationError) go to their fields. A database that refuses the write
    (down, read-only, a lock timeout) gets a message too: the page is shown again with
    everything the user typed, so nothing is lost.
    """
    try:
        return action(**kwargs)
    except ValidationError as error:
        show_errors(form, error)
    except DatabaseError:
        logger.exception("saving %s failed", getattr(action, "__name__", action))
        form.add_error(None, _("数据库暂时无法保存，您填写的内容已保留，请稍后再试。"))
    return None


def press(
    request: HttpRequest, action: Callable[..., T], success: Callable[[T], str], /,
    **kwargs: Any,
) -> T | None:
    """Run a service for a button (a POST without a form) and say how it went in a message:
    `success(result)` if it worked, the rule it broke if it raised ValidationError."""
    from django.contrib import messages

    try:
        result = action(**kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    messages.success(request, success(result))
    return result
