"""`{% page_link page number %}`: the address of another page of a paged table, keeping the
rest of the query; the page number goes in the page's own parameter (`paginate(param=…)`), so
two paged tables on one page turn independently."""

from typing import Any

from django import template
from django.template.defaulttags import querystring

register = template.Library()


@register.simple_tag(takes_context=True)
def page_link(context: template.Context, page: Any, number: int) -> str:
    return querystring(context, **{getattr(page, "param", "page"): number})
