"""Follow-up work through the database.

`enqueue` writes an event in the caller's transaction and, after commit,
asks Celery to process it. If the broker is down the send is skipped and
logged; the periodic sweep (and `manage.py process_outbox`) picks the event
up later. Sending never makes the caller fail.
"""

import atexit
import collections
import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F

from core import clock, logs
from payments.models import OutboxEvent

logger = logging.getLogger(__name__)

TRANSACTION_CHANGED = "transaction.changed"
# After a failed send, stop trying the broker for this long: the sweep
# catches up, and intake does not pay a connection timeout per request.
BROKER_PAUSE_SECONDS = 15.0
MAX_BACKOFF_SECONDS = 3600

_broker_paused_until = 0.0
HANDLERS: dict[str, Callable[[OutboxEvent], None]] = {}


def handler(kind: str) -> Callable[[Callable[[OutboxEvent], None]], Callable[[OutboxEvent], None]]:
    def register(func: Callable[[OutboxEvent], None]) -> Callable[[OutboxEvent], None]:
        HANDLERS[kind] = func
        return func

    return register


def enqueue(*, kind: str, transaction_id: int) -> OutboxEvent:
    now = clock.now()
    event = OutboxEvent.objects.create(kind=kind, transaction_id=transaction_id, created_at=now, available_at=now)
    transaction.on_commit(lambda: dispatch_soon(event.pk))
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

    transaction.on_commit(lambda: dispatch_batch(ids))
    return events


def dispatch_soon(event_id: int) -> None:
    """`dispatch_batch` without a broker round trip on the caller's path: the id is
    handed to this process's sender thread, which publishes what gathered
    in one message. The event row is already committed, so an id that dies
    with the process is only late: the sweep sends it."""
    if process_outbox_events.app.conf.task_always_eager:
        # In process there is no broker to spare; run it now, as before.
        dispatch_batch([event_id])
        return
    _sender().put(event_id)


def dispatch_batch(event_ids: list[int]) -> bool:
    """Hand events to Celery, one message per BATCH_SIZE of them; False when
    the broker could not take them all (the sweep sends the rest)."""
    global _broker_paused_until
    for start in range(0, len(event_ids), BATCH_SIZE):
        if time.monotonic() < _broker_paused_until:
            return False
        try:
            process_outbox_events.apply_async((event_ids[start : start + BATCH_SIZE],), retry=False)
        except Exception:  # noqa: BLE001 — any broker failure must leave intake untouched
            _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
            logger.warning(
                "outbox: broker unavailable, %s events left for the sweep", len(event_ids) - start, exc_info=True
            )
            return False
    return True


class _Sender:
    """One daemon thread per process that publishes queued event ids, up to
    BATCH_SIZE per message, at most BATCH_WAIT_SECONDS after the first one
    arrived. Publishing a message costs CPU (docs/benchmarks.md), which
    intake no longer pays per delivery."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.ids: collections.deque[int] = collections.deque()
        self.wake = threading.Event()
        self.lock = threading.Lock()
        threading.Thread(target=self.run, name="outbox-sender", daemon=True).start()
        atexit.register(self.flush)

    def put(self, event_id: int) -> None:
        self.ids.append(event_id)
        self.wake.set()

    def run(self) -> None:
        while True:
            self.wake.wait()
            time.sleep(BATCH_WAIT_SECONDS)
            self.wake.clear()
            self.flush()

    def flush(self) -> None:
        with self.lock:
            batch = []
            while self.ids:
                batch.append(self.ids.popleft())
            # Broker down: what it did not take, the sweep sends once it is back.
            dispatch_batch(batch)


BATCH_SIZE = 200
# A tenth of a second gathers several ids per message at a worker's pace
# under load, and is nothing next to what follow-up work waits for anyway.
BATCH_WAIT_SECONDS = 0.1
_sender_instance: _Sender | None = None
_sender_lock = threading.Lock()


def _sender() -> _Sender:
    """This process's sender; a forked child (a server worker) starts its own."""
    global _sender_instance
    sender = _sender_instance
    if sender is None or sender.pid != os.getpid():
        with _sender_lock:
            if _sender_instance is None or _sender_instance.pid != os.getpid():
                _sender_instance = _Sender()
            sender = _sender_instance
    return sender


def send_queued() -> None:
    """Publish what this process's sender holds now, in the caller's thread,
    and wait for a send in progress (tests switching brokers, shutdown)."""
    if _sender_instance is not None and _sender_instance.pid == os.getpid():
        _sender_instance.flush()


def resume_broker() -> None:
    """Forget a broker pause (tests, and the sweep once a send succeeds)."""
    global _broker_paused_until
    _broker_paused_until = 0.0


def process(event_id: int) -> bool:
    """Run one event once. Claimed with a conditional UPDATE so two workers
    (a task and the sweep) never both run it; True when it ran and succeeded."""
    now = clock.now()
    claimed = OutboxEvent.objects.filter(pk=event_id, processed_at__isnull=True, available_at__lte=now).update(
        available_at=now + dt.timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS), attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    event = OutboxEvent.objects.get(pk=event_id)
    # Lines of this work carry the transaction's id, as its delivery's line does.
    with logs.bound(outbox_event_id=event_id, transaction_id=event.transaction_id):
        try:
            with transaction.atomic():
                HANDLERS[event.kind](event)
                OutboxEvent.objects.filter(pk=event_id).update(processed_at=clock.now(), last_error="")
        except Exception as exc:  # noqa: BLE001 — recorded on the event and retried with backoff
            delay = min(MAX_BACKOFF_SECONDS, settings.OUTBOX_RETRY_SECONDS * 2 ** min(event.attempts, 10))
            OutboxEvent.objects.filter(pk=event_id).update(
                last_error=repr(exc)[:2000], available_at=clock.now() + dt.timedelta(seconds=delay)
            )
            logger.exception("outbox: event %s (%s) failed, retry in %s s", event_id, event.kind, delay)
            return False
        logger.info("follow-up event processed", extra={"kind": event.kind, "attempt": event.attempts})
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


# The outbox's Celery tasks, thin: they take ids and call the functions above.


@shared_task(name="payments.process_outbox_events", ignore_result=True)
def process_outbox_events(event_ids: list[int]) -> None:
    for event_id in event_ids:
        process(event_id)


@shared_task(name="payments.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Catch up on events whose task was never sent (broker down) or whose
    worker died; run by Celery beat every minute."""
    resume_broker()
    return drain()
