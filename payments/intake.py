"""Webhook intake: verify, log the delivery, record the transaction once.

The delivery row, the transaction and the outbox event are written in one
database transaction that commits before the partner gets its answer, so an
acknowledged delivery is durable and its follow-up work cannot be lost.
"""

import datetime as dt
import functools
import json
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import psycopg
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils.datastructures import CaseInsensitiveMapping
from django.utils.translation import gettext as _

from core import clock
from core.actors import Actor, recorded_user
from payments import attribution, outbox
from payments.models import (
    AlertKind,
    Kind,
    OutboxEvent,
    PaymentAlert,
    Transaction,
    WebhookDelivery,
    transaction_field_label,
)
from payments.partners import Notice, Outcome, Rejected, Reply, adapter_for

MAX_BODY_BYTES = 64 * 1024
# Credentials of our own users never belong in a partner's delivery log.
UNLOGGED_HEADERS = {"cookie", "authorization"}


class Received:
    """What intake decided: the partner's answer, and the delivery row written."""

    def __init__(self, reply: Reply, delivery: WebhookDelivery | None = None, *, written: dict | None = None):
        self.reply = reply
        if delivery is not None:
            self.__dict__["delivery"] = delivery
        self._written = written

    @functools.cached_property
    def delivery(self) -> WebhookDelivery:
        """The row from the values written, built only when asked for: the
        server answers the partner without it."""
        row = WebhookDelivery(**(self._written or {}))
        row._state.adding = False
        return row

    @property
    def verdict(self) -> str:
        """The delivery's verdict, without building its row."""
        return str(self._written["verdict"] if self._written is not None else self.delivery.verdict)

    @property
    def ids(self) -> tuple[int, int | None]:
        """The delivery row's id and its transaction's, without building the row."""
        if self._written is not None:
            return self._written["id"], self._written["transaction_id"]
        return self.delivery.pk, self.delivery.transaction_id


def receive_delivery(
    *,
    partner: str,
    headers: Mapping[str, str],
    body: bytes | None,
    body_size: int | None = None,
    replay_of: WebhookDelivery | None = None,
    actor: Actor = None,
) -> Received:
    """Handle one delivery. `body` is None when it was too large to read.

    A replay goes through the same path, judged at the time the original
    arrived, so its signature window is the one the partner signed for.
    """
    adapter = adapter_for(partner)
    received_at = clock.now()
    judged_at = replay_of.received_at if replay_of is not None else received_at
    headers = CaseInsensitiveMapping({k: v for k, v in headers.items() if k.lower() not in UNLOGGED_HEADERS})
    size = len(body) if body is not None else (body_size or 0)
    log = {
        "partner": partner,
        "received_at": received_at,
        "headers": dict(headers.items()),
        "body": body if body is not None and size <= MAX_BODY_BYTES else b"",
        "body_size": size,
        "replay_of_id": replay_of.pk if replay_of is not None else None,
        "replayed_by_id": replayer.pk if (replayer := recorded_user(actor)) else None,
    }
    try:
        if body is None or size > MAX_BODY_BYTES:
            raise Rejected(
                Rejected.TOO_LARGE,
                _("Nội dung %(size)s byte vượt giới hạn %(max)s byte") % {"size": size, "max": MAX_BODY_BYTES},
            )
        notice = adapter.accept(headers, body, judged_at)
    except Rejected as rejection:
        reply = adapter.reply_rejected(rejection)
        delivery = WebhookDelivery.objects.create(
            **log, verdict="rejected", reason=rejection.reason[:300], response_status=reply.status
        )
        return Received(reply, delivery)

    accepted = adapter.reply(Outcome.ACCEPTED)
    written = _record_new(partner, notice, received_at, log, accepted)
    if written is not None:
        return Received(accepted, written=written)

    # The id was recorded before: a duplicate, a conflict or a newer status.
    with transaction.atomic():
        outcome, reason, txn, differences = _repeat(_recorded(partner, notice), notice)
        reply = adapter.reply(outcome)
        delivery = WebhookDelivery.objects.create(
            **log,
            verdict=outcome,
            reason=reason[:300],
            response_status=reply.status,
            partner_transaction_id=notice.partner_transaction_id,
            transaction=txn,
        )
        if outcome == Outcome.CONFLICT:
            PaymentAlert.objects.create(
                kind=AlertKind.CONFLICT,
                partner=partner,
                partner_transaction_id=notice.partner_transaction_id,
                transaction=txn,
                delivery=delivery,
                detail=differences,
                created_at=received_at,
            )
        elif outcome == Outcome.ACCEPTED:
            outbox.enqueue(kind=outbox.TRANSACTION_CHANGED, transaction_id=txn.pk)
    return Received(reply, delivery)


def _recorded(partner: str, notice: Notice) -> Transaction:
    return Transaction.objects.get(partner=partner, partner_transaction_id=notice.partner_transaction_id)


def _record_new(partner: str, notice: Notice, now: dt.datetime, log: dict, reply: Reply) -> dict | None:
    """A new transaction in one statement and one round trip:
    attribute, insert the transaction unless its id exists, and with it the
    delivery log row and the outbox event. One statement is one transaction,
    so all three rows are durable together before the partner hears back.
    Returns the delivery row's values, or None when the id was already
    recorded: nothing was written, and `_repeat` decides between duplicate,
    conflict and a newer status.

    The rows' values go straight from dicts to the statement: building
    three model instances and preparing each field through the ORM cost
    more than the rest of the delivery together."""
    delivery = {
        **log,
        "verdict": Outcome.ACCEPTED,
        "reason": "",
        "response_status": reply.status,
        "partner_transaction_id": notice.partner_transaction_id,
    }
    decided, decided_params = attribution.decided_sql(
        partner=partner, credit_account=notice.credit_account, reference=notice.reference
    )
    original = notice.original_partner_transaction_id
    params = [
        *decided_params,
        *_TXN_COLUMNS.values(Transaction.values_from_notice(partner=partner, notice=notice, created_at=now)),
        *([partner, original, Kind.PAYMENT.value] if original else []),
        *_DELIVERY_COLUMNS.values(delivery),
        *_EVENT_COLUMNS.values({"kind": outbox.TRANSACTION_CHANGED, "created_at": now, "available_at": now}),
    ]
    # Only a refund looks up its payment, and a refund is planned with its own
    # values: a prepared statement's generic plan, made while the table was
    # still small, may look the payment up through the (partner, business
    # date) index and then read every transaction of the partner each time.
    row = _execute(_record_new_sql(decided, finds_original=bool(original)), params, prepare=not original)
    if row is None:
        return None
    txn_id, delivery_id, event_id = row
    # Outside a transaction the statement has committed and this runs now.
    transaction.on_commit(lambda: outbox.dispatch_soon(event_id))
    return {"id": delivery_id, "transaction_id": txn_id, **delivery}


def _execute(sql: str, params: list, *, prepare: bool) -> tuple | None:
    """Run the intake statement with server-side parameters, so Python does
    not quote its forty parameters into text; prepared, PostgreSQL parses
    and plans the five-table statement once per connection, not on every
    delivery."""
    connection.ensure_connection()
    # Django's error wrapper, as its own cursors have: its exception types, and
    # a connection that failed is marked so the end of the request closes it.
    with connection.wrap_database_errors:
        cursor = _intake_cursor(connection.connection)
        cursor.execute(sql, params, prepare=prepare)
        return cursor.fetchone()


_this_thread = threading.local()


def _intake_cursor(pg: psycopg.Connection) -> psycopg.Cursor:
    """One cursor per database connection, kept while the connection lives.
    A cursor learns how to send each parameter type once; a new cursor per
    delivery learnt it again for forty parameters, a share of a delivery's
    Python worth saving. Django gives each thread its own connection, so a
    thread keeps the cursor of the connection it is on."""
    cursor = getattr(_this_thread, "cursor", None)
    if cursor is None or cursor.connection is not pg:
        cursor = _this_thread.cursor = psycopg.Cursor(pg)
    return cursor


class _Columns:
    """A model's columns that the intake statement fills with parameters, and
    each one's value from a dict by attribute name: what is not given takes
    the field's default, as `save()` would, and JSON goes as its text."""

    def __init__(self, model: type[models.Model], *, computed: tuple[str, ...]) -> None:
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in computed]
        self._plan = [(f.attname, f.get_default(), isinstance(f, models.JSONField)) for f in self.fields]

    def values(self, given: dict) -> list:
        found = []
        for name, default, is_json in self._plan:
            value = given.get(name, default)
            found.append(json.dumps(value) if is_json else value)
        return found


# Columns the statement fills itself: attribution, and the links to rows it finds or inserts.
_TXN_COMPUTED = ("attribution", "attribution_reason", "wallet_account", "vendor", "market", "original")
_TXN_COLUMNS = _Columns(Transaction, computed=_TXN_COMPUTED)
_DELIVERY_COLUMNS = _Columns(WebhookDelivery, computed=("transaction",))
_EVENT_COLUMNS = _Columns(OutboxEvent, computed=("transaction",))


@functools.cache
def _record_new_sql(decided: str, *, finds_original: bool) -> str:
    quote = connection.ops.quote_name

    # Model fields; get_field may in general return a relation, which these never are.
    def columns(fields: Iterable[Any]) -> str:
        return ", ".join(quote(f.column) for f in fields)

    def typed(fields: Iterable[Any]) -> str:
        # INSERT ... SELECT does not type bare parameters from the target columns.
        return ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in fields)

    txn_meta = Transaction._meta
    delivery_table, event_table = quote(WebhookDelivery._meta.db_table), quote(OutboxEvent._meta.db_table)
    computed = columns(txn_meta.get_field(name) for name in _TXN_COMPUTED)
    # A refund's payment, when it is already recorded.
    original = (
        f"(SELECT o.id FROM {quote(txn_meta.db_table)} o WHERE o.partner = %s "  # noqa: S608
        "AND o.partner_transaction_id = %s AND o.kind = %s LIMIT 1)"
        if finds_original
        else "NULL"
    )
    # Identifiers come from the models' own metadata, values are parameters.
    return (
        f"WITH decided (state, reason, wallet_account_id, vendor_id, market_id) AS ({decided}), "  # noqa: S608
        f"txn AS (INSERT INTO {quote(txn_meta.db_table)} ({columns(_TXN_COLUMNS.fields)}, {computed}) "
        f"SELECT {typed(_TXN_COLUMNS.fields)}, d.state, d.reason, d.wallet_account_id, d.vendor_id, d.market_id, "
        f"{original} FROM decided d "
        "ON CONFLICT (partner, partner_transaction_id) DO NOTHING RETURNING id), "
        f"delivery AS (INSERT INTO {delivery_table} ({columns(_DELIVERY_COLUMNS.fields)}, transaction_id) "
        f"SELECT {typed(_DELIVERY_COLUMNS.fields)}, txn.id FROM txn RETURNING id), "
        f"event AS (INSERT INTO {event_table} ({columns(_EVENT_COLUMNS.fields)}, transaction_id) "
        f"SELECT {typed(_EVENT_COLUMNS.fields)}, txn.id FROM txn RETURNING id) "
        "SELECT txn.id, delivery.id, event.id FROM txn, delivery, event"
    )


def _repeat(existing: Transaction, notice: Notice) -> tuple[str, str, Transaction, dict]:
    differences = _differences(existing, notice)
    if differences:
        reason = _("Mã giao dịch đã có với nội dung khác: %(fields)s") % {
            "fields": ", ".join(transaction_field_label(name) for name in sorted(differences))
        }
        return Outcome.CONFLICT, reason, existing, differences
    if notice.status_updated_at is None or notice.status == existing.status:
        return Outcome.DUPLICATE, _("Đã ghi nhận trước đó"), existing, {}
    # Latest status wins, decided by the database so two racing events
    # cannot both apply.
    changed = Transaction.objects.filter(
        Q(status_updated_at__lt=notice.status_updated_at) | Q(status_updated_at__isnull=True), pk=existing.pk
    ).update(status=notice.status, partner_status=notice.partner_status, status_updated_at=notice.status_updated_at)
    if changed:
        reason = _("Trạng thái đổi từ %(old)s sang %(new)s") % {"old": existing.status, "new": notice.status}
        existing.refresh_from_db()
        return Outcome.ACCEPTED, reason, existing, {}
    existing.refresh_from_db()
    if existing.status_updated_at == notice.status_updated_at and existing.status != notice.status:
        differences = {"status": [existing.status, notice.status]}
        return Outcome.CONFLICT, _("Hai trạng thái khác nhau cùng một thời điểm cập nhật"), existing, differences
    return Outcome.DUPLICATE, _("Trạng thái cũ hơn trạng thái đã ghi nhận, không thay đổi gì"), existing, {}


def _differences(existing: Transaction, notice: Notice) -> dict:
    """Identity fields that differ, as {field: [stored, received]}."""
    if existing.content_digest == notice.digest():
        return {}
    pairs = {
        "kind": (existing.kind, notice.kind),
        "amount": (existing.amount, notice.amount),
        "completed_at": (existing.completed_at, notice.completed_at),
        "credit_account": (existing.credit_account, notice.credit_account),
        "reference": (existing.reference, notice.reference),
        "original_partner_transaction_id": (
            existing.original_partner_transaction_id,
            notice.original_partner_transaction_id,
        ),
    }
    if notice.status_updated_at is None:
        pairs["status"] = (existing.status, notice.status)
        pairs["partner_status"] = (existing.partner_status, notice.partner_status)
    found = {name: [_plain(a), _plain(b)] for name, (a, b) in pairs.items() if a != b}
    return found or {"content": [existing.content_digest, notice.digest()]}


def _plain(value: object) -> object:
    # Both sides of a moment in business time, so the record reads as one zone.
    if isinstance(value, dt.datetime):
        return value.astimezone(clock.BUSINESS_TZ).isoformat()
    return value.isoformat() if hasattr(value, "isoformat") else value
