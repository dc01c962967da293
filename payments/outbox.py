"""Follow-up work through the database.

`enqueue` writes an event in the caller's transaction and, after commit,
asks Celery to process it. If the broker is down the send is skipped and
logged; the periodic sweep (and `manage.py process_outbox`) picks the event
up later. Sending never makes the caller fail.
"""

import datetime as dt
import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.db.models import F

from core import clock
from payments.models import OutboxEvent

logger = logging.getLogger(__name__)

TRANSACTION_CHANGED = "transaction.changed"
# A claimed event comes back to the queue after this long if its worker died.
CLAIM_SECONDS = 120
# After a failed send, stop trying the broker for this long: the sweep
# catches up, and intake does not pay a connection timeout per request.
BROKER_PAUSE_SECONDS = 15.0
MAX_BACKOFF_SECONDS = 3600

_broker_paused_until = 0.0
HANDLERS: dict[str, Callable[[OutboxEvent], None]] = {}


def handler(kind: str):
    def register(func: Callable[[OutboxEvent], None]) -> Callable[[OutboxEvent], None]:
        HANDLERS[kind] = func
        return func

    return register


def enqueue(*, kind: str, transaction_id: int) -> OutboxEvent:
    now = clock.now()
    event = OutboxEvent.objects.create(kind=kind, transaction_id=transaction_id, created_at=now, available_at=now)
    transaction.on_commit(lambda: dispatch(event.pk))
    return event


def enqueue_many(*, kind: str, transaction_ids: list[int]) -> list[OutboxEvent]:
    """`enqueue` for many transactions with one INSERT; dispatched after commit."""
    now = clock.now()
    events = OutboxEvent.objects.bulk_create(
        [OutboxEvent(kind=kind, transaction_id=pk, created_at=now, available_at=now) for pk in transaction_ids],
        batch_size=2_000,
    )
    ids = [event.pk for event in events]
    if ids and ids[0] is None:
        # Backends that cannot return ids from a bulk insert; the sweep finds them.
        return events

    def send() -> None:
        for pk in ids:
            if not dispatch(pk):
                break  # broker paused: the sweep picks up the rest

    transaction.on_commit(send)
    return events


def dispatch(event_id: int) -> bool:
    """Hand an event to Celery; False when the broker could not take it."""
    global _broker_paused_until
    if time.monotonic() < _broker_paused_until:
        return False
    from payments.tasks import process_outbox_event

    try:
        process_outbox_event.apply_async((event_id,), retry=False)
    except Exception:  # noqa: BLE001 — any broker failure must leave intake untouched
        _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("outbox: broker unavailable, event %s left for the sweep", event_id, exc_info=True)
        return False
    return True


def resume_broker() -> None:
    """Forget a broker pause (tests, and the sweep once a send succeeds)."""
    global _broker_paused_until
    _broker_paused_until = 0.0


def process(event_id: int) -> bool:
    """Run one event once. Claimed with a conditional UPDATE so two workers
    (a task and the sweep) never both run it; True when it ran and succeeded."""
    now = clock.now()
    claimed = OutboxEvent.objects.filter(pk=event_id, processed_at__isnull=True, available_at__lte=now).update(
        available_at=now + dt.timedelta(seconds=CLAIM_SECONDS), attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    event = OutboxEvent.objects.get(pk=event_id)
    try:
        with transaction.atomic():
            HANDLERS[event.kind](event)
            OutboxEvent.objects.filter(pk=event_id).update(processed_at=clock.now(), last_error="")
    except Exception as exc:  # noqa: BLE001 — recorded on the event and retried with backoff
        delay = min(MAX_BACKOFF_SECONDS, 30 * 2 ** min(event.attempts, 10))
        OutboxEvent.objects.filter(pk=event_id).update(
            last_error=repr(exc)[:2000], available_at=clock.now() + dt.timedelta(seconds=delay)
        )
        logger.exception("outbox: event %s (%s) failed, retry in %s s", event_id, event.kind, delay)
        return False
    return True


def pending(*, limit: int) -> list[int]:
    return list(
        OutboxEvent.objects.filter(processed_at__isnull=True, available_at__lte=clock.now())
        .order_by("available_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def drain(*, limit: int = 1000) -> int:
    """Process due events in this process; the number that succeeded."""
    done = 0
    for event_id in pending(limit=limit):
        done += process(event_id)
    return done
