"""A settlement file a person imports (upload, API) has its day run by a
worker once the import commits. Beside its Celery task, which calls the
services, so the services never reach back for it."""

import datetime as dt

from celery import shared_task
from django.db import transaction

from core.errors import Conflict
from reconciliation import services


def after_import(*, imported: services.Imported) -> None:
    """A file a person just imported (upload, API) has its day run again once
    committed, the newest file counting; the same bytes again change nothing."""
    if not imported.created:
        return
    file = imported.file
    transaction.on_commit(lambda: reconcile_file_day.delay(file.partner, file.business_date.isoformat()))


@shared_task(
    name="reconciliation.reconcile_file_day",
    ignore_result=True,
    autoretry_for=(Conflict,),
    retry_backoff=30,
    max_retries=5,
)
def reconcile_file_day(partner: str, day: str) -> None:
    """A file was just imported (upload, API): run its day, and the day before
    if it was waiting for this file."""
    services.reconcile(actor=None, partner=partner, business_date=dt.date.fromisoformat(day))
