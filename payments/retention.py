"""Raw webhook bodies kept no longer than their purpose needs.

A delivery's body is kept as it arrived so that it can be replayed and a
dispute settled. After WEBHOOK_BODY_RETENTION_DAYS it has served that
purpose, and the personal data in it goes: the payer's name and account
fragments (VNPT's `payer`, MobiFone's `receiver`, and any field whose name
says it holds a name, a phone or a masked account). What is left is kept
with the SHA-256 of the body as it arrived, so a copy the partner produces
can still be matched. The transaction, the money, is a separate row kept
for the accounting period (ACCOUNTING_RETENTION_YEARS) and is not touched.
A redacted body no longer matches its signature, so replay is refused
(`payments.services.delivery_replay`).
"""

import datetime as dt
import hashlib
import json
import logging
import re
from typing import Any

from django.conf import settings
from django.db import transaction

from core import clock
from payments.models import Transaction, WebhookDelivery

logger = logging.getLogger(__name__)

REDACTED = "[đã xoá]"
BATCH = 1_000
# Objects that describe a person: everything inside them goes.
_PERSON_OBJECTS = {"payer", "receiver", "sender", "customer"}
# Any other field whose name says what it holds.
_PERSONAL_KEY = re.compile(r"name|phone|msisdn|masked|cccd|national", re.IGNORECASE)


def redacted_body(body: bytes) -> bytes:
    """The body without personal data. A body that is not a JSON object is
    not understood well enough to keep any of it."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return b""
    if not isinstance(document, dict):
        return b""
    return json.dumps(_redact(document), ensure_ascii=False, separators=(",", ":")).encode()


def _redact(value: Any, *, personal: bool = False) -> Any:
    if isinstance(value, dict):
        return {
            key: _redact(item, personal=personal or key.lower() in _PERSON_OBJECTS or bool(_PERSONAL_KEY.search(key)))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact(item, personal=personal) for item in value]
    return REDACTED if personal and value is not None else value


def redaction_cutoff() -> dt.datetime:
    return clock.now() - dt.timedelta(days=settings.WEBHOOK_BODY_RETENTION_DAYS)


def accounting_cutoff() -> dt.date:
    today = clock.today()
    try:
        return today.replace(year=today.year - settings.ACCOUNTING_RETENTION_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - settings.ACCOUNTING_RETENTION_YEARS, day=28)


def deliveries_due() -> int:
    return WebhookDelivery.objects.filter(received_at__lt=redaction_cutoff(), redacted_at__isnull=True).count()


def transactions_past_accounting_period() -> int:
    """Transactions older than the accounting period: for the operator to
    archive (the delivery log's old months go with them, see docs)."""
    return Transaction.objects.filter(business_date__lt=accounting_cutoff()).count()


def deliveries_redact() -> int:
    """Redact every delivery older than the retention period; how many.
    Batches of BATCH rows, each its own transaction, so a long backlog never
    holds locks for long and an interrupted pass resumes where it stopped."""
    cutoff = redaction_cutoff()
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                WebhookDelivery.objects.select_for_update(skip_locked=True)
                .filter(received_at__lt=cutoff, redacted_at__isnull=True)
                .order_by("received_at", "id")
                .only("id", "body")[:BATCH]
            )
            if not rows:
                break
            now = clock.now()
            for row in rows:
                original = bytes(row.body)
                row.body_sha256 = hashlib.sha256(original).hexdigest()
                row.body = redacted_body(original)
                row.redacted_at = now
            WebhookDelivery.objects.bulk_update(rows, ["body", "body_sha256", "redacted_at"])
        done += len(rows)
    if done:
        logger.info("retention: webhook bodies redacted", extra={"deliveries": done, "before": cutoff.isoformat()})
    return done
