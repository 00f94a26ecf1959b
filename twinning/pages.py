"""Small helpers every page uses: pagination and showing a service's errors on a form."""

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import DatabaseError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
T = TypeVar("T")


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
