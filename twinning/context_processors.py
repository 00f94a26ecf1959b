from django.http import HttpRequest

from .permissions import can, role_of


def role(request: HttpRequest) -> dict:
    """The user's role and the rights that decide which navigation entries show."""
    user = request.user
    if not user.is_authenticated:
        return {"user_role": None, "nav": {}}
    from reports.bulletins.models import Notification

    return {
        "user_role": role_of(user),
        "nav": {
            "committees": can(user, "view") and role_of(user) != "leader",
            "members": can(user, "view") and role_of(user) in ("department", "town", "secretary"),
            "exchange": role_of(user) in ("department", "town"),
            "admin": can(user, "admin"),
            "advisor": can(user, "advise"),
            "warnings": can(user, "view") and role_of(user) != "leader",
            "dashboard": can(user, "view_dashboard"),
            "completeness": role_of(user) in ("department", "town"),
            "projects": can(user, "view") and role_of(user) != "leader",
            "outcomes": can(user, "view_dashboard"),
        },
        "unread_notifications": Notification.objects.filter(
            user=user, read_at__isnull=True
        ).count,
    }
