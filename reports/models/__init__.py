"""Models of this app, one module per sub-domain, re-exported here."""

from reports.models.bulletins import Bulletin, BulletinText, Notification, TypicalCase

__all__ = ["Bulletin", "BulletinText", "Notification", "TypicalCase"]
