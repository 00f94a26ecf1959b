"""`{% once_field %}`: the hidden one-time token every POST form of the site carries (see
twinning.shared.submissions)."""

from django import template
from django.utils.html import format_html

from twinning.shared.submissions import FIELD, new_token

register = template.Library()


@register.simple_tag
def once_field() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
