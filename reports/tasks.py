"""The app's Celery tasks, so that Celery's autodiscovery (which imports `reports.tasks`)
registers each concept's tasks. Their names follow their modules
(`reports.bulletins.tasks.…`); code imports them from there, never from here."""

from reports.bulletins import tasks as bulletins_tasks

__all__ = ["bulletins_tasks"]
