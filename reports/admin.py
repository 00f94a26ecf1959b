"""The app's admin, so that Django's autodiscovery finds each concept's registrations."""

from reports.bulletins import admin as bulletins_admin

__all__ = ["bulletins_admin"]
