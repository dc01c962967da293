"""Helpers for tests that need the real PostgreSQL, Redis and Celery."""

import os
from contextlib import contextmanager

import pytest
from django.db import connection

from market40.celery import app as celery_app
from payments import outbox

CLOSED_PORT_BROKER = "redis://127.0.0.1:6390/0"


def require_postgres() -> None:
    if connection.vendor != "postgresql" and os.environ.get("REQUIRE_REAL_SERVICES") != "1":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    assert connection.vendor == "postgresql", "REQUIRE_REAL_SERVICES=1 needs DATABASE_URL to point at PostgreSQL"


def require_redis() -> str:
    url = os.environ.get("REDIS_URL")
    if not url and os.environ.get("REQUIRE_REAL_SERVICES") != "1":
        pytest.skip("needs Redis (set REDIS_URL)")
    assert url, "REQUIRE_REAL_SERVICES=1 needs REDIS_URL"
    return url


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
