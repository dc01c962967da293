"""Thin Celery tasks: they take a partner and a day and call the services.
The run after an import is declared beside the import's hand-off, in
`file_runs`; it is named here for the worker's autodiscovery."""

import datetime as dt

from celery import shared_task

from core import clock
from core.errors import Conflict
from reconciliation import inbox, services
from reconciliation.file_runs import reconcile_file_day

__all__ = ["reconcile_day", "reconcile_file_day", "reconcile_yesterday", "rerun"]


@shared_task(name="reconciliation.reconcile_yesterday", ignore_result=True)
def reconcile_yesterday(partner: str) -> None:
    """Celery beat, 02:00: pick up yesterday's file from the inbox and run.
    A missing file is recorded as the run's own exception."""
    reconcile_day.run(partner, (clock.today() - dt.timedelta(days=1)).isoformat())


@shared_task(name="reconciliation.reconcile_day", ignore_result=True)
def reconcile_day(partner: str, day: str) -> None:
    """Import what the inbox holds, then run the day and every day whose
    latest file no run has used yet. That is read from the database, not from
    what this task imported: a worker killed after an import committed (and
    its file left the inbox) leaves a file whose day the next task must run."""
    inbox.collect(partner=partner)
    days = {dt.date.fromisoformat(day), *services.days_awaiting_run(partner=partner)}
    for business_date in sorted(days):
        services.reconcile(actor=None, partner=partner, business_date=business_date)


@shared_task(
    name="reconciliation.rerun", ignore_result=True, autoretry_for=(Conflict,), retry_backoff=30, max_retries=5
)
def rerun(partner: str, day: str) -> None:
    """Run a day again because something it reported may have changed."""
    services.reconciliation_run(actor=None, partner=partner, business_date=dt.date.fromisoformat(day))
