"""Small helpers every page uses: finding an object the user may reach, pagination and
showing a service's errors on a form."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import DatabaseError, transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy

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


# What a user sees when the database refuses a write: down, read-only, a lock timeout.
DATABASE_REFUSED = gettext_lazy("数据库暂时无法保存，您填写的内容已保留，请稍后再试。")
DATABASE_REFUSED_BUTTON = gettext_lazy("数据库暂时无法保存，请稍后再试。")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a write came to: the service's result, or why it was refused."""

    result: T | None = None
    error: ValidationError | None = None

    @property
    def messages(self) -> list[str]:
        return [] if self.error is None else list(self.error.messages)


def run(action: Callable[..., T], /, refused: str = "", **kwargs: Any) -> Outcome[T]:
    """Run a service; a rule it breaks (ValidationError) or a database that refuses the write
    comes back as the outcome's error instead of a 500.

    The one place a view's write is caught: `attempt` (a form), `press` (a button) and the
    pages without a single form (a formset, a rating sheet) all go through here. The service
    runs in its own transaction (a savepoint inside another), so a refused write leaves
    nothing half done and the connection usable for showing the page again.
    """
    try:
        with transaction.atomic():
            return Outcome(result=action(**kwargs))
    except ValidationError as error:
        return Outcome(error=error)
    except DatabaseError:
        logger.exception("saving %s failed", getattr(action, "__name__", action))
        return Outcome(error=ValidationError(refused or str(DATABASE_REFUSED)))


def attempt(form: forms.Form, action: Callable[..., T], /, **kwargs: Any) -> T | None:
    """Run a service for a form; on failure put the reason on the form and return None.

    Rule violations (ValidationError) go to their fields. A database that refuses the write
    gets a message too: the page is shown again with everything the user typed, so nothing
    is lost.
    """
    outcome = run(action, **kwargs)
    if outcome.error is not None:
        show_errors(form, outcome.error)
    return outcome.result


def press(
    request: HttpRequest, action: Callable[..., T], success: Callable[[T], str], /,
    **kwargs: Any,
) -> T | None:
    """Run a service for a button (a POST without a form) and say how it went in a message:
    `success(result)` if it worked, else the rule it broke or that the database refused."""
    from django.contrib import messages

    outcome = run(action, refused=str(DATABASE_REFUSED_BUTTON), **kwargs)
    if outcome.error is not None:
        messages.error(request, " ".join(outcome.messages))
        return None
    messages.success(request, success(outcome.result))
    return outcome.result
