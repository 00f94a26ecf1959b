from django.http import HttpRequest

from .permissions import can, role_of


def role(request: HttpRequest) -> dict:
    """The user's role and the rights that decide which navigation entries show."""
    user = request.user
    return {
        "user_role": role_of(user),
        "nav": {
            "committees": can(user, "view") and role_of(user) != "leader",
            "members": can(user, "view") and role_of(user) in ("department", "town", "secretary"),
            "exchange": role_of(user) in ("department", "town"),
            "admin": can(user, "admin"),
        },
    }
