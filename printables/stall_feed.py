"""What the stall screens are told, read from the database.

The stream is a view over the outbox (payments.models.OutboxEvent): every
change that makes a transaction count writes an event there in its own
database transaction, and the event ids are a monotonic sequence. A screen's
position is "every event up to a mark, plus these few above it", so a
reconnect catches up with one query and neither misses nor repeats an event.

One Feed per stream process follows the outbox for all its screens: a ring of
payments.signals.TRANSACTION_CHANGED_CHANNEL (LISTEN/NOTIFY) wakes it, and it
also looks every POLL_SECONDS, so a lost ring only delays the screens.

Event ids are allocated before their transaction commits, so a later id can
be visible before an earlier one. The feed's mark stops below such a gap
until the gap is filled, or until every database transaction that could
hold it has ended (the oldest transaction still running in the database
began after it was seen): then the id belonged to a transaction that
rolled back.
"""

import asyncio
import dataclasses
import datetime as dt
import json
import logging
import time
from collections.abc import Iterable
from typing import Any

import psycopg
from django.db import connections
from django.utils.translation import gettext as _

from core import clock
from core.amount_words import amount_in_words
from core.formatting import format_vnd
from core.partners import Partner
from merchants.models import Vendor, VendorStatus
from payments.models import Kind, OutboxEvent, Status, Transaction
from payments.signals import TRANSACTION_CHANGED_CHANNEL
from printables.links import LINK_CHANNEL
from printables.models import VendorLink

logger = logging.getLogger(__name__)

POLL_SECONDS = 2.0
# A gap must be this old before the feed asks whether its transaction ended:
# an id is drawn a moment before its transaction gets a transaction id.
GAP_SETTLE_SECONDS = 1.0
# The most events one catch-up reads; a screen further behind starts afresh.
CATCH_UP_LIMIT = 20_000
SNAPSHOT_SIZE = 50

_EVENT_TABLE = OutboxEvent._meta.db_table
_TXN_TABLE = Transaction._meta.db_table
_TXN_FIELDS = (
    "t.id, t.vendor_id, t.kind, t.status, t.amount, t.completed_at, t.partner, t.partner_transaction_id, t.payer"
)

# Identifiers come from the models' metadata; values are parameters.
_NEW_EVENTS_SQL = (
    f"SELECT e.id, {_TXN_FIELDS} FROM {_EVENT_TABLE} e "  # noqa: S608
    f"JOIN {_TXN_TABLE} t ON t.id = e.transaction_id WHERE e.id > %s OR e.id = ANY(%s) ORDER BY e.id LIMIT 5000"
)
_CATCH_UP_SQL = (
    f"WITH ev AS MATERIALIZED (SELECT id, transaction_id FROM {_EVENT_TABLE} "  # noqa: S608
    f"WHERE id > %s ORDER BY id LIMIT {CATCH_UP_LIMIT}) "
    f"SELECT ev.id, {_TXN_FIELDS}, (SELECT count(*) FROM ev) FROM ev JOIN {_TXN_TABLE} t ON t.id = ev.transaction_id "
    "WHERE t.vendor_id = %s ORDER BY ev.id"
)
_SNAPSHOT_SQL = (
    f"SELECT 0, {_TXN_FIELDS} FROM {_TXN_TABLE} t "  # noqa: S608
    "WHERE t.vendor_id = %s AND t.business_date = %s AND t.status <> %s "
    f"ORDER BY t.completed_at DESC, t.id DESC LIMIT {SNAPSHOT_SIZE}"
)
_TODAY_SQL = (
    f"SELECT t.vendor_id, "  # noqa: S608
    "count(*) FILTER (WHERE t.kind = %(payment)s AND t.status = %(completed)s), "
    "coalesce(sum(t.amount) FILTER (WHERE t.kind = %(payment)s AND t.status = %(completed)s), 0) "
    "- coalesce(sum(t.amount) FILTER (WHERE t.kind = %(refund)s AND t.status = %(completed)s), 0) "
    f"FROM {_TXN_TABLE} t WHERE t.vendor_id = ANY(%(vendors)s) AND t.business_date = %(day)s GROUP BY t.vendor_id"
)
_OPEN_VENDORS_SQL = f"SELECT id FROM {Vendor._meta.db_table} WHERE id = ANY(%s) AND status <> %s"  # noqa: S608
_LINK_VERSIONS_SQL = f"SELECT vendor_id, version FROM {VendorLink._meta.db_table} WHERE vendor_id = ANY(%s)"  # noqa: S608
# (oldest transaction id still running in this database, next transaction
# id): `pg_snapshot_xmin` would also wait for other databases of the cluster.
# The age of a running transaction's id is counted from an id at or above the
# snapshot's xmax, so the estimate of the oldest is never too new.
_SNAPSHOT_BOUNDS_SQL = (
    "WITH s AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax) "
    "SELECT s.xmax - coalesce((SELECT max(age(a.backend_xid)) FROM pg_stat_activity a "
    "WHERE a.datname = current_database() AND a.backend_xid IS NOT NULL), 0), s.xmax FROM s"
)


def conninfo() -> str:
    """The stream's own connections go to the database Django is set up for."""
    db = connections["default"].settings_dict
    parts = {
        "dbname": db.get("NAME"),
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "host": db.get("HOST"),
        "port": db.get("PORT"),
    }
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in parts.items() if v})


@dataclasses.dataclass(frozen=True)
class Change:
    """One event: a transaction as it stands after a change."""

    event_id: int
    transaction_id: int
    vendor_id: int | None
    kind: str
    status: str
    amount: int
    completed_at: dt.datetime
    partner: str
    partner_transaction_id: str
    payer: str

    @classmethod
    def from_row(cls, row: tuple) -> "Change":
        return cls(*row[:10])

    @classmethod
    def from_transaction(cls, txn: Transaction) -> "Change":
        return cls(
            0,
            txn.pk,
            txn.vendor_id,
            txn.kind,
            txn.status,
            txn.amount,
            txn.completed_at,
            txn.partner,
            txn.partner_transaction_id,
            txn.payer,
        )

    def as_message(self) -> dict[str, Any]:
        """What the screen shows and says; nothing a customer would not want shown."""
        wallet = Partner(self.partner).label
        words = amount_in_words(self.amount)
        if self.kind == Kind.REFUND:
            speech = _("Đã hoàn %(words)s qua %(wallet)s") % {"words": words, "wallet": wallet}
        elif self.status == Status.REVERSED:
            speech = _("Giao dịch %(words)s qua %(wallet)s đã bị đảo") % {"words": words, "wallet": wallet}
        else:
            speech = _("Đã nhận %(words)s qua %(wallet)s") % {"words": words, "wallet": wallet}
        return {
            "id": self.transaction_id,
            "kind": self.kind,
            "status": self.status,
            "amount": self.amount,
            "amount_text": format_vnd(self.amount),
            "time": self.completed_at.astimezone(clock.BUSINESS_TZ).strftime("%H:%M:%S"),
            "at": self.completed_at.isoformat(),
            "wallet": wallet,
            "payer": self.payer,
            "ref": self.partner_transaction_id[-6:],
            "counts": self.status == Status.COMPLETED,
            "speech": speech if self.status != Status.FAILED else "",
        }


@dataclasses.dataclass
class Today:
    count: int = 0
    net: int = 0

    def as_message(self) -> dict[str, Any]:
        return {"count": self.count, "net": self.net, "net_text": format_vnd(self.net)}


@dataclasses.dataclass
class Batch:
    """What one look at the outbox brought a screen, and the feed's mark after it."""

    changes: list[Change]
    today: Today | None


class Position:
    """Where a screen is: every event up to `mark` is behind it, and also
    `above`. Written as the SSE event id: "mark" or "mark.id.id"."""

    def __init__(self, mark: int, above: Iterable[int] = ()) -> None:
        self.mark = mark
        self.above = {i for i in above if i > mark}

    @classmethod
    def parse(cls, text: str | None) -> "Position | None":
        if not text:
            return None
        parts = text.strip().split(".")
        if not all(part.isdigit() and len(part) <= 18 for part in parts) or len(parts) > 200:
            return None
        return cls(int(parts[0]), (int(p) for p in parts[1:]))

    def advance(self, mark: int) -> None:
        if mark > self.mark:
            self.mark = mark
            self.above = {i for i in self.above if i > mark}

    def __str__(self) -> str:
        return ".".join([str(self.mark), *map(str, sorted(self.above))])


class Subscriber:
    def __init__(self, vendor_id: int, *, link_version: int, mark: int) -> None:
        self.vendor_id = vendor_id
        self.link_version = link_version
        self.mark = mark
        self.queue: asyncio.Queue[Batch] = asyncio.Queue()
        self.revoked = asyncio.Event()


class Feed:
    """Follows the outbox for every screen of this process."""

    def __init__(self, dsn: str | None = None) -> None:
        self.dsn = dsn
        self.mark = 0
        # The highest event id seen; between the mark and it lie seen ids and gaps.
        self.top = 0
        self.subscribers: dict[int, set[Subscriber]] = {}
        # Ids above the mark already handed out, and the gaps among them:
        # id → [first seen missing, snapshot xmax once it settled].
        self.seen: set[int] = set()
        self.gaps: dict[int, list[float | int | None]] = {}
        self.started = asyncio.Event()
        self.wake = asyncio.Event()
        # Set when a vendor's link was reissued: the screens' links are checked.
        self.links_changed = asyncio.Event()
        self._query: psycopg.AsyncConnection | None = None
        self._query_lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        self.polls = 0

    @property
    def screens(self) -> int:
        return sum(len(s) for s in self.subscribers.values())

    async def start(self) -> None:
        if self._task is not None:
            return
        dsn = self.dsn or conninfo()
        self._query = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
        row = await self._fetchone(f"SELECT coalesce(max(id), 0) FROM {_EVENT_TABLE}")  # noqa: S608
        self.mark = self.top = int(row[0]) if row else 0
        self._task = asyncio.create_task(self._run(dsn))
        self.started.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self._query is not None:
            await self._query.close()
            self._query = None
        self.started.clear()

    async def _fetch(self, sql: str, params: Any = None) -> list[tuple]:
        if self._query is None:
            raise RuntimeError("the stall feed is not started")
        async with self._query_lock, self._query.cursor() as cursor:
            await cursor.execute(sql, params)
            return await cursor.fetchall()

    async def _fetchone(self, sql: str, params: Any = None) -> tuple | None:
        rows = await self._fetch(sql, params)
        return rows[0] if rows else None

    async def _run(self, dsn: str) -> None:
        """Listen for the doorbell and look at the outbox; a lost database
        connection is retried, and the screens only wait meanwhile."""
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as listener:
                    await listener.execute(f"LISTEN {TRANSACTION_CHANGED_CHANNEL}")
                    await listener.execute(f"LISTEN {LINK_CHANNEL}")
                    notifies = asyncio.create_task(self._ring(listener))
                    try:
                        while True:
                            await self.poll()
                            try:
                                await asyncio.wait_for(self.wake.wait(), POLL_SECONDS)
                            except TimeoutError:
                                pass
                            self.wake.clear()
                            if notifies.done():
                                notifies.result()
                    finally:
                        notifies.cancel()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 — the stream outlives a database restart
                logger.warning("stall feed: database unavailable, retrying", exc_info=True)
                await asyncio.sleep(POLL_SECONDS)
                try:
                    if self._query is None or self._query.closed:
                        self._query = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
                except Exception:  # noqa: BLE001
                    logger.warning("stall feed: query connection still down", exc_info=True)

    async def _ring(self, listener: psycopg.AsyncConnection) -> None:
        async for notify in listener.notifies():
            if notify.channel == LINK_CHANNEL:
                self.links_changed.set()
            else:
                self.wake.set()

    async def poll(self) -> None:
        """Hand every new event to its vendor's screens, and move the mark."""
        self.polls += 1
        bounds = await self._fetchone(_SNAPSHOT_BOUNDS_SQL) if self.gaps else None
        rows = await self._fetch(_NEW_EVENTS_SQL, (self.top, list(self.gaps)))
        changes = [Change.from_row(row) for row in rows]
        now = time.monotonic()
        for change in changes:
            self.gaps.pop(change.event_id, None)
            if change.event_id > self.top:
                for missing in range(self.top + 1, change.event_id):
                    self.gaps[missing] = [now, None]
                self.top = change.event_id
            self.seen.add(change.event_id)
        self._settle_gaps(now, bounds)
        by_vendor: dict[int, list[Change]] = {}
        for change in changes:
            if change.vendor_id is not None and change.vendor_id in self.subscribers:
                by_vendor.setdefault(change.vendor_id, []).append(change)
        totals = await self.today(by_vendor.keys()) if by_vendor else {}
        # From here to the mark's move nothing awaits: a screen that sees the
        # new mark has every batch below it in its queue.
        for vendor_id, vendor_changes in by_vendor.items():
            for subscriber in self.subscribers.get(vendor_id, ()):
                subscriber.queue.put_nowait(Batch(vendor_changes, totals.get(vendor_id, Today())))
        self._advance()

    def _settle_gaps(self, now: float, bounds: tuple | None) -> None:
        for gap_id, state in list(self.gaps.items()):
            first_seen, horizon = state
            if horizon is None:
                if bounds is not None and now - float(first_seen or 0) >= GAP_SETTLE_SECONDS:
                    state[1] = int(bounds[1])
            elif bounds is not None and int(bounds[0]) >= int(horizon):
                # Every transaction that could hold this id has ended without it.
                del self.gaps[gap_id]
                self.seen.add(gap_id)

    def _advance(self) -> None:
        mark = self.mark
        while mark + 1 in self.seen and mark + 1 not in self.gaps:
            mark += 1
            self.seen.discard(mark)
        self.mark = mark

    async def today(self, vendor_ids: Iterable[int]) -> dict[int, Today]:
        params = {
            "payment": Kind.PAYMENT.value,
            "refund": Kind.REFUND.value,
            "completed": Status.COMPLETED.value,
            "vendors": list(vendor_ids),
            "day": clock.today(),
        }
        rows = await self._fetch(_TODAY_SQL, params)
        return {row[0]: Today(int(row[1]), int(row[2])) for row in rows}

    async def standing(self, vendor_ids: list[int]) -> dict[int, int]:
        """Of these vendors, those not closed, with their links' current
        versions (a vendor with no link row is on version 1). One array
        parameter each, so thousands of open screens cost two short queries."""
        open_rows = await self._fetch(_OPEN_VENDORS_SQL, (vendor_ids, VendorStatus.CLOSED.value))
        versions = dict(await self._fetch(_LINK_VERSIONS_SQL, (vendor_ids,)))
        return {row[0]: int(versions.get(row[0], 1)) for row in open_rows}

    async def catch_up(self, vendor_id: int, position: Position) -> list[Change] | None:
        """The vendor's events after a position, in order; None when the
        screen is too far behind to catch up event by event."""
        rows = await self._fetch(_CATCH_UP_SQL, (position.mark, vendor_id))
        if rows and int(rows[0][10]) >= CATCH_UP_LIMIT:
            return None
        return [Change.from_row(row) for row in rows if row[0] not in position.above]

    async def snapshot(self, vendor_id: int) -> list[Change]:
        """The vendor's latest transactions of today, oldest first."""
        rows = await self._fetch(_SNAPSHOT_SQL, (vendor_id, clock.today(), Status.FAILED.value))
        return [Change.from_row(row) for row in reversed(rows)]

    def subscribe(self, vendor_id: int, *, link_version: int) -> Subscriber:
        subscriber = Subscriber(vendor_id, link_version=link_version, mark=self.mark)
        self.subscribers.setdefault(vendor_id, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        group = self.subscribers.get(subscriber.vendor_id)
        if group is not None:
            group.discard(subscriber)
            if not group:
                del self.subscribers[subscriber.vendor_id]


def encode(event: str, data: dict[str, Any] | None, position: Position | None = None) -> bytes:
    """One Server-Sent Event."""
    lines = [f"event: {event}"]
    if position is not None:
        lines.append(f"id: {position}")
    lines.append("data: " + json.dumps(data or {}, ensure_ascii=False, separators=(",", ":")))
    return ("\n".join(lines) + "\n\n").encode()
