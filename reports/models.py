"""The app's models, so that Django finds them; code imports them from their concept
(`reports.bulletins.models`), never from here."""

from reports.bulletins.models import (
    Bulletin,
    BulletinSettings,
    BulletinText,
    Notification,
    TypicalCase,
)

__all__ = ["Bulletin", "BulletinSettings", "BulletinText", "Notification", "TypicalCase"]
