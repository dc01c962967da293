"""Celery beat entries of adoption reporting, merged in by `market40.apps.Market40Config.ready`.

Times are Asia/Ho_Chi_Minh (CELERY_TIMEZONE)."""

from celery.schedules import crontab
from django.conf import settings


def beat_schedule() -> dict:
    return {
        "adoption-open-today": {"task": "adoption.open_today", "schedule": crontab(minute="*/10")},
        "adoption-record-register": {"task": "adoption.record_register", "schedule": crontab(hour=23, minute=55)},
        "adoption-nightly-check": {
            "task": "adoption.nightly_check",
            "schedule": crontab(hour=2, minute=30),
            # 0 checks the whole history; a positive number, the last N days.
            "kwargs": {"days": settings.ADOPTION_CHECK_DAYS or None},
        },
    }
