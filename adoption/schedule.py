"""Celery beat entries of adoption reporting, merged in by `Market40Config.ready`.

Times are Asia/Ho_Chi_Minh (CELERY_TIMEZONE)."""

from celery.schedules import crontab

from market40.env import env_int

BEAT_SCHEDULE = {
    "adoption-open-today": {"task": "adoption.open_today", "schedule": crontab(minute="*/10")},
    "adoption-record-register": {"task": "adoption.record_register", "schedule": crontab(hour=23, minute=55)},
    "adoption-nightly-check": {
        "task": "adoption.nightly_check",
        "schedule": crontab(hour=2, minute=30),
        # 0 checks the whole history; a positive number, the last N days.
        "kwargs": {"days": env_int("ADOPTION_CHECK_DAYS", 0) or None},
    },
}
