import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market40.settings")

app = Celery("market40")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
