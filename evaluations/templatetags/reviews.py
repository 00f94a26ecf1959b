"""Review panels other apps' pages include, so their views need not know about reviews."""

from typing import Any

from django import template

from evaluations.reviews import selectors
from twinning.shared import permissions

register = template.Library()


@register.inclusion_tag("evaluations/reviews/home_panel.html", takes_context=True)
def review_home_panel(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    return {"panel": selectors.home_panel(user), "may": permissions.Abilities(user),
            "stale_days": selectors.stale_days()}


@register.inclusion_tag("evaluations/reviews/committee_panel.html", takes_context=True)
def review_committee_panel(context: dict[str, Any], committee: Any) -> dict[str, Any]:
    """Only for those who may see the committee's members; nothing (no query) for others."""
    user = context["request"].user
    if not permissions.can(user, "view_members", committee):
        return {"panel": None}
    return {"panel": selectors.committee_panel(committee), "committee": committee,
            "can_manage": permissions.can(user, "manage", committee),
            "stale_days": selectors.stale_days()}
