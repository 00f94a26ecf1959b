"""Models of this app, one module per sub-domain, re-exported here."""

from .bulletins import Bulletin, BulletinText, Notification, TypicalCase

__all__ = ["Bulletin", "BulletinText", "Notification", "TypicalCase"]
