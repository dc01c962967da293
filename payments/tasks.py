"""Thin Celery tasks: they take ids and call into the outbox."""

from celery import shared_task

from payments import outbox


@shared_task(name="payments.process_outbox_events", ignore_result=True)
def process_outbox_events(event_ids: list[int]) -> None:
    for event_id in event_ids:
        outbox.process(event_id)


@shared_task(name="payments.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Catch up on events whose task was never sent (broker down) or whose
    worker died; run by Celery beat every minute."""
    outbox.resume_broker()
    return outbox.drain()
