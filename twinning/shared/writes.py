"""The write path of every view: call one service, and turn a ValidationError or a refused
database write into a message on the same form, with what the user typed kept."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)
T = TypeVar("T")


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


def save_single_row(row: Model) -> Model:
    """Save a one-row settings model (the advisor's, the early warning's): the first save
    creates the row, later ones update it."""
    row.pk = type(row).objects.values_list("pk", flat=True).first() or row.pk
    row.full_clean()
    row.save()
    return row
