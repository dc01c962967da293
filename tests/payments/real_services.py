"""Helpers for tests that send tasks to a real broker (Redis, or one that is down)."""

from contextlib import contextmanager

from market40.celery import app as celery_app
from payments import outbox

CLOSED_PORT_BROKER = "redis://127.0.0.1:6390/0"


@contextmanager
def broker(url: str):
    """Send tasks to `url` for real (not in process), then restore."""
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager

    def reset_pools() -> None:
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        outbox.resume_broker()

    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = False
    reset_pools()
    try:
        yield
    finally:
        # Whatever was queued in the block goes to the block's broker.
        outbox.send_queued()
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
        reset_pools()
