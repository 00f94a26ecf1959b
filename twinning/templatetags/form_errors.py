"""`form|error_count`: how many messages a form's error summary lists."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def error_count(form: Any) -> int:
    if form is None or not getattr(form, "errors", None):
        return 0
    return sum(len(messages) for messages in form.errors.values())
