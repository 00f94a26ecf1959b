from django.http import HttpRequest

from twinning.shared.permissions import Abilities


def abilities(request: HttpRequest) -> dict:
    """`may.<action>`: what the user may do (the policy's actions), for the navigation and
    every template; and the count of unread notices."""
    user = request.user
    if not user.is_authenticated:
        return {"may": {}}
    unread = getattr(user, "unread_notifications", None)  # read with the user (backends.py)
    if unread is None:
        from reports.bulletins.models import Notification

        unread = Notification.objects.filter(user=user, read_at__isnull=True).count
    return {"may": Abilities(user), "unread_notifications": unread}
