import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market40.settings")

app = Celery("market40")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def serve_metrics(**_kwargs: object) -> None:
    """Each worker serves its counters at CELERY_METRICS_BIND, when set."""
    from market40.metrics import serve_worker_metrics

    serve_worker_metrics()
