from django.http import HttpRequest

from twinning.shared.permissions import Abilities


def abilities(request: HttpRequest) -> dict:
    """`may.<action>`: what the user may do (the policy's actions), for the navigation and
    every template; and the count of unread notices."""
    user = request.user
    if not user.is_authenticated:
        return {"may": {}}
    from reports.bulletins.models import Notification

    return {
        "may": Abilities(user),
        "unread_notifications": Notification.objects.filter(
            user=user, read_at__isnull=True
        ).count,
    }
