"""A broker outage delays follow-up work and never makes intake fail."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from market40.database import with_database
from payments.models import OutboxEvent, Transaction
from payments.tasks import sweep_outbox
from tests.payments.kit import post, vnpt, vnpt_body
from tests.payments.real_services import CLOSED_PORT_BROKER, broker

REFUND = vnpt_body("VNPT-R1", type="payment.refunded", original="VNPT2611200000123", reference=None)
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_broker_down_intake_still_accepts_and_the_drain_catches_up(client, lan, django_capture_on_commit_callbacks):
    with broker(CLOSED_PORT_BROKER), django_capture_on_commit_callbacks(execute=True):
        refund = post(client, "vnpt", *vnpt(REFUND, msg_id="m2"))
        payment = post(client, "vnpt", *vnpt(vnpt_body(), msg_id="m1"))

    assert (refund.status_code, payment.status_code) == (200, 200)
    assert Transaction.objects.count() == 2
    assert OutboxEvent.objects.filter(processed_at__isnull=True).count() == 2

    call_command("process_outbox")

    assert not OutboxEvent.objects.filter(processed_at__isnull=True).exists()
    assert Transaction.objects.get(kind="refund").original.partner_transaction_id == "VNPT2611200000123"


def _worker_env(redis_url: str) -> dict:
    env = dict(os.environ)
    # The test database, on the server the run uses.
    env["DATABASE_URL"] = with_database(env["DATABASE_URL"], connection.settings_dict["NAME"])
    env["REDIS_URL"] = redis_url
    env["CELERY_TASK_ALWAYS_EAGER"] = "0"
    return env


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_intake_stores_and_a_real_worker_finishes_when_it_returns(client, lan):
    redis_url = os.environ["REDIS_URL"]

    with broker(CLOSED_PORT_BROKER):
        started = time.monotonic()
        refund = post(client, "vnpt", *vnpt(REFUND, msg_id="m2"))
        payment = post(client, "vnpt", *vnpt(vnpt_body(), msg_id="m1"))
        elapsed = time.monotonic() - started

    assert (refund.status_code, payment.status_code) == (200, 200)
    assert elapsed < 10
    assert Transaction.objects.count() == 2
    assert Transaction.objects.get(kind="refund").original is None
    assert OutboxEvent.objects.filter(processed_at__isnull=True).count() == 2

    worker = subprocess.Popen(  # noqa: S603 — fixed arguments
        [sys.executable, "-m", "celery", "-A", "market40", "worker", "-Q", "ingest", "--pool", "solo", "-l", "warning"],
        cwd=ROOT,
        env=_worker_env(redis_url),
    )
    try:
        with broker(redis_url):
            # What Celery beat does every minute once Redis is back.
            sweep_outbox.apply_async()
            deadline = time.monotonic() + 60
            while OutboxEvent.objects.filter(processed_at__isnull=True).exists() and time.monotonic() < deadline:
                time.sleep(0.25)
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    assert not OutboxEvent.objects.filter(processed_at__isnull=True).exists()
    assert Transaction.objects.get(kind="refund").original.partner_transaction_id == "VNPT2611200000123"
