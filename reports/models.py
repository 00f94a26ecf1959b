"""The app's models, so that Django finds them; code imports them from their concept
(`reports.bulletins.models`), never from here."""

from reports.bulletins.models import Bulletin, BulletinText, Notification, TypicalCase

__all__ = ["Bulletin", "BulletinText", "Notification", "TypicalCase"]
