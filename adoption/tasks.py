"""Thin Celery tasks of adoption reporting; beat entries in `schedule.py`."""

import datetime as dt

from celery import shared_task

from adoption import services
from core import clock


@shared_task(name="adoption.open_today", ignore_result=True)
def open_today() -> int:
    """Open the new business day's transacting counts (cheap when already open)."""
    return services.rollup_days_open(days=[clock.today()])


@shared_task(name="adoption.record_register", ignore_result=True)
def record_register() -> int:
    """The register at the end of today (runs just before midnight)."""
    return services.register_record(day=clock.today())


@shared_task(name="adoption.nightly_check", ignore_result=True)
def nightly_check(days: int | None = None) -> int:
    """Recompute from raw transactions, report drift and repair it."""
    first = clock.today() - dt.timedelta(days=days - 1) if days else None
    return services.rollups_check(first=first).drift_rows
