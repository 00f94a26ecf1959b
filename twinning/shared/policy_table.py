"""The role policy as a table (actions by roles), for the README and its test."""

from django.utils.translation import override

from twinning.shared.models import Role
from twinning.shared.permissions import GRANTS


def policy_table() -> str:
    """A Markdown table of `GRANTS`: one row per action, a ✓ where the role may do it."""
    with override("zh-hans"):
        header = ["action", *(str(label) for label in Role.labels)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for action, roles in sorted(GRANTS.items()):
        marks = ["✓" if role in roles else "" for role in Role.values]
        lines.append("| " + " | ".join([f"`{action}`", *marks]) + " |")
    return "\n".join(lines)
