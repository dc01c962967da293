"""The delivery log partitioned by month (PostgreSQL native partitioning).

`payments_webhookdelivery` is partitioned by RANGE (received_at), one
partition per month of business time (Asia/Ho_Chi_Minh), named
`payments_webhookdelivery_yYYYYmMM`, plus a DEFAULT partition so that an
insert never fails for want of a month. A whole old month can then be
detached, archived (pg_dump of that one table) and dropped without a long
DELETE; redaction (payments/retention.py) reads one month's rows through
partition pruning.

The nightly retention pass (market40/retention.py) creates the current and
next months ahead of time, so the DEFAULT partition stays empty, and
detaches the months that ended before the accounting period
(ACCOUNTING_RETENTION_YEARS), unless a kept row still points into them.

Exactly-once does not depend on this table: it is the unique
(partner, partner_transaction_id) on payments_transaction, which is not
partitioned.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from core import clock

logger = logging.getLogger(__name__)

TABLE = "payments_webhookdelivery"
DEFAULT = f"{TABLE}_default"


@dataclass(frozen=True)
class Month:
    first: dt.date  # the first day of the month

    @classmethod
    def of(cls, moment: dt.datetime) -> "Month":
        return cls(clock.business_date(moment).replace(day=1))

    def next(self) -> "Month":
        return Month((self.first + dt.timedelta(days=32)).replace(day=1))

    @property
    def name(self) -> str:
        return f"{TABLE}_y{self.first.year:04d}m{self.first.month:02d}"

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Start inclusive, end exclusive, in business time."""
        start = dt.datetime.combine(self.first, dt.time.min, tzinfo=clock.BUSINESS_TZ)
        end = dt.datetime.combine(self.next().first, dt.time.min, tzinfo=clock.BUSINESS_TZ)
        return start, end


def _bound_sql(moment: dt.datetime) -> str:
    # Partition bounds must be literals; these come from dates, never from input.
    return f"'{moment.isoformat()}'"


def partitions() -> list[str]:
    """The partitions attached to the delivery log, by name."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [TABLE],
        )
        return [name for (name,) in cursor.fetchall()]


def month_create(cursor: CursorWrapper, month: Month) -> bool:
    """Attach `month`'s partition if it is missing; whether it was created.
    Rows already in the DEFAULT partition for that month move into it, in
    the same transaction (PostgreSQL refuses a new partition that the
    DEFAULT partition already holds rows of)."""
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [month.name])
    if cursor.fetchone()[0]:
        return False
    start, end = month.bounds()
    quoted = connection.ops.quote_name
    cursor.execute(f"CREATE TABLE {quoted(month.name)} (LIKE {quoted(TABLE)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    cursor.execute(
        f"WITH moved AS (DELETE FROM {quoted(DEFAULT)} WHERE received_at >= %s AND received_at < %s RETURNING *) "  # noqa: S608
        f"INSERT INTO {quoted(month.name)} SELECT * FROM moved",
        [start, end],
    )
    cursor.execute(
        f"ALTER TABLE {quoted(TABLE)} ATTACH PARTITION {quoted(month.name)} "
        f"FOR VALUES FROM ({_bound_sql(start)}) TO ({_bound_sql(end)})"
    )
    return True


def months_ahead_due() -> list[str]:
    """The current and next months' partitions that are still missing."""
    current = Month.of(clock.now())
    attached = set(partitions())
    return [month.name for month in (current, current.next()) if month.name not in attached]


def months_ahead_create() -> list[str]:
    """Create the current and next months' partitions if missing; their names."""
    current = Month.of(clock.now())
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        for month in (current, current.next()):
            if month_create(cursor, month):
                created.append(month.name)
    if created:
        logger.info("retention: delivery log partitions created", extra={"partitions": created})
    return created


def _months_before(cutoff: dt.date) -> list[Month]:
    """Attached monthly partitions whose month ended on or before `cutoff`."""
    found = []
    for name in partitions():
        if name == DEFAULT:
            continue
        year, month = int(name[-7:-3]), int(name[-2:])
        candidate = Month(dt.date(year, month, 1))
        if candidate.next().first <= cutoff:
            found.append(candidate)
    return found


def _still_referenced(cursor: CursorWrapper, month: Month) -> bool:
    """Whether a payment alert or a replay kept elsewhere points into `month`
    (those references carry no database constraint, see the models)."""
    quoted = connection.ops.quote_name
    start, end = month.bounds()
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM payments_paymentalert a JOIN {quoted(month.name)} d ON d.id = a.delivery_id) "  # noqa: S608
        f"OR EXISTS (SELECT 1 FROM {quoted(TABLE)} r JOIN {quoted(month.name)} d ON d.id = r.replay_of_id "
        "WHERE r.received_at < %s OR r.received_at >= %s)",
        [start, end],
    )
    return bool(cursor.fetchone()[0])


def months_past_due(cutoff: dt.date) -> list[str]:
    return [month.name for month in _months_before(cutoff)]


def months_detach(cutoff: dt.date) -> list[str]:
    """Detach the months that ended on or before `cutoff` and that no kept
    row points into; their names. A detached month is a plain table for
    the operator to archive and drop (docs/operations.md)."""
    detached = []
    quoted = connection.ops.quote_name
    for month in _months_before(cutoff):
        with transaction.atomic(), connection.cursor() as cursor:
            if _still_referenced(cursor, month):
                logger.warning("retention: delivery log month still referenced", extra={"partition": month.name})
                continue
            cursor.execute(f"ALTER TABLE {quoted(TABLE)} DETACH PARTITION {quoted(month.name)}")
            detached.append(month.name)
    if detached:
        logger.info("retention: delivery log partitions detached", extra={"partitions": detached})
    return detached
