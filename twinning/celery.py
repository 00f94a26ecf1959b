import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twinning.settings")

app = Celery("twinning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The import machinery is no app of its own; its task lives beside it.
app.autodiscover_tasks(["twinning.shared.exchange"])
