import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twinning.settings")

app = Celery("twinning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The shared machinery is no app of its own: its tasks (reminders, the spreadsheet import)
# live beside it.
app.autodiscover_tasks(["twinning.shared", "twinning.shared.exchange"])
