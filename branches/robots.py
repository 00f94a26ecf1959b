"""Towns' WeCom group robots as the reminders' group chats (twinning.shared.reminders)."""

from branches.models import Town
from twinning.shared.deliveries import Group
from twinning.shared.permissions import towns_of_users


def town_robots(user_ids: list[int]) -> dict[int, list[Group]]:
    """The robots of the towns each user works in, where the town has set one."""
    towns_by_user = towns_of_users(user_ids)
    wanted = set().union(*towns_by_user.values())
    robots = {
        town.pk: Group(key=f"town:{town.pk}", name=town.name, webhook=town.wecom_webhook)
        for town in Town.objects.filter(pk__in=wanted).exclude(wecom_webhook="")
        .only("pk", "name", "wecom_webhook")
    }
    return {
        user_id: [robots[pk] for pk in sorted(towns) if pk in robots]
        for user_id, towns in towns_by_user.items()
    }
