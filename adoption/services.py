"""Writes that keep the adoption rollups true.

- `rollup_transaction_recorded`: after each recorded or changed transaction
  (called from the payments follow-up), recompute the rows it touches from
  the transactions themselves, so a retried event cannot count twice.
- `rollup_days_open`: fill the per-market transacting counts of a new day.
- `register_record`: the register as it stands at the end of a day.
- `rollups_recompute`: rebuild everything from raw transactions, set-based.
- `rollups_check`: the nightly check; recompute, compare, report drift, repair.

These are system jobs, not a person's writes, so they leave no audit row;
the check leaves a RollupCheck row instead.
"""

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Model, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from adoption import measures
from adoption.models import MarketDay, MarketPartnerDay, MarketRegisterDay, RollupCheck, RollupDay, VendorDay
from adoption.register import live_register
from core import clock
from merchants.models import Market
from payments.models import Status, Transaction

logger = logging.getLogger(__name__)

BATCH = 5000
DETAIL_LIMIT = 50
ONE_DAY = dt.timedelta(days=1)

MPD_FIELDS = ("market_id", "partner", "day", "payments_count", "payments_amount", "refunds_count", "refunds_amount")
VD_FIELDS = ("market_id", "vendor_id", "day", "payments_count", "payments_amount", "refunds_amount")


def _money(*names: str) -> dict:
    aggregates = {
        "payments_count": Count("pk", filter=measures.PAYMENTS),
        "payments_amount": Coalesce(Sum("amount", filter=measures.PAYMENTS), 0),
        "refunds_count": Count("pk", filter=measures.REFUNDS),
        "refunds_amount": Coalesce(Sum("amount", filter=measures.REFUNDS), 0),
    }
    return {name: aggregates[name] for name in names}


# --- incremental -----------------------------------------------------------


def rollup_transaction_recorded(*, transaction_id: int) -> None:
    """Bring the rollups in line with one transaction as it now stands.

    Each touched row is locked before it is recomputed from the transactions
    table, so two workers on the same market and day serialise and the later
    one sees the earlier one's transaction."""
    row = (
        Transaction.objects.filter(pk=transaction_id)
        .values("market_id", "vendor_id", "partner", "business_date")
        .first()
    )
    if row is None or row["market_id"] is None:
        return  # not (yet) attributed to a market: counted once it is
    market_id, vendor_id, day = row["market_id"], row["vendor_id"], row["business_date"]
    with transaction.atomic():
        _refresh_market_partner_day(market_id, row["partner"], day)
        if vendor_id is not None and _refresh_vendor_day(market_id, vendor_id, day):
            _refresh_market_days(market_id, day)


def _refresh_market_partner_day(market_id: int, partner: str, day: dt.date) -> None:
    rollup, _created = MarketPartnerDay.objects.select_for_update().get_or_create(
        market_id=market_id, partner=partner, day=day
    )
    fresh = Transaction.objects.filter(market_id=market_id, partner=partner, business_date=day).aggregate(
        **_money("payments_count", "payments_amount", "refunds_count", "refunds_amount")
    )
    for name, value in fresh.items():
        setattr(rollup, name, value)
    rollup.save(update_fields=list(fresh))


def _refresh_vendor_day(market_id: int, vendor_id: int, day: dt.date) -> bool:
    """Recompute a vendor's day; True when the vendor started or stopped
    counting as transacting that day (the only change windows care about)."""
    rollup, _created = VendorDay.objects.select_for_update().get_or_create(
        market_id=market_id, vendor_id=vendor_id, day=day
    )
    had_payment = rollup.payments_count > 0
    fresh = Transaction.objects.filter(market_id=market_id, vendor_id=vendor_id, business_date=day).aggregate(
        **_money("payments_count", "payments_amount", "refunds_amount")
    )
    for name, value in fresh.items():
        setattr(rollup, name, value)
    rollup.save(update_fields=list(fresh))
    return had_payment != (rollup.payments_count > 0)


def _refresh_market_days(market_id: int, day: dt.date) -> None:
    """Recount the market's transacting vendors on every day whose long
    window contains `day`, up to today. Rows are locked in day order, so
    concurrent refreshes of one market never deadlock."""
    last = min(day + dt.timedelta(days=measures.WINDOW_LONG - 1), clock.today())
    if last < day:
        return  # a business date in the future: counted when its day is opened
    days = [day + dt.timedelta(days=n) for n in range((last - day).days + 1)]
    MarketDay.objects.bulk_create([MarketDay(market_id=market_id, day=d) for d in days], ignore_conflicts=True)
    rows = list(MarketDay.objects.select_for_update().filter(market_id=market_id, day__in=days).order_by("day"))
    first_activity = measures.window(day, measures.WINDOW_LONG)[0]
    activity = _activity(VendorDay.objects.filter(market_id=market_id, day__range=(first_activity, last)))
    counts = _counts_by_market(activity, day, last)
    for rollup in rows:
        rollup.transacting_7d, rollup.transacting_30d = counts.get((market_id, rollup.day), (0, 0))
    MarketDay.objects.bulk_update(rows, ["transacting_7d", "transacting_30d"])


def _activity(vendor_days: QuerySet) -> Iterator[tuple[int, int, dt.date]]:
    """(market, vendor, day) of days with a payment, in that order."""
    return (
        vendor_days.filter(payments_count__gt=0)
        .order_by("market_id", "vendor_id", "day")
        .values_list("market_id", "vendor_id", "day")
        .iterator(chunk_size=BATCH)
    )


def _counts_by_market(
    rows: Iterable[tuple[int, int, dt.date]], first: dt.date, last: dt.date
) -> dict[tuple[int, dt.date], tuple[int, int]]:
    """Transacting counts per (market, day) from sorted activity rows; only
    days where someone transacted in the long window."""
    found = {}
    for market_id, market_rows in groupby(rows, key=itemgetter(0)):
        activity = (
            (vendor_id, [r[2] for r in vendor_rows]) for vendor_id, vendor_rows in groupby(market_rows, itemgetter(1))
        )
        for day, counts in measures.transacting_counts(activity, first, last).items():
            if counts[1]:
                found[(market_id, day)] = counts
    return found


# --- days and register ---------------------------------------------------------


def rollup_days_open(*, days: Iterable[dt.date]) -> int:
    """Compute every market's transacting counts on days not opened yet (up
    to today); the number of days opened. Rows a refresh already wrote are
    kept: they were computed later than this."""
    today = clock.today()
    opened = 0
    for day in sorted({d for d in days if d <= today}):
        with transaction.atomic():
            if RollupDay.objects.filter(day=day).exists():
                continue
            first = measures.window(day, measures.WINDOW_LONG)[0]
            counts = _counts_by_market(_activity(VendorDay.objects.filter(day__range=(first, day))), day, day)
            MarketDay.objects.bulk_create(
                [
                    MarketDay(market_id=m, day=d, transacting_7d=t7, transacting_30d=t30)
                    for (m, d), (t7, t30) in counts.items()
                ],
                ignore_conflicts=True,
            )
            _, created = RollupDay.objects.get_or_create(day=day, defaults={"opened_at": clock.now()})
            opened += created
    return opened


def register_record(*, day: dt.date) -> int:
    """Record the register (cohort, stalls, vendors) as the end of `day`."""
    markets = list(Market.objects.all())
    now = clock.now()
    rows = [
        MarketRegisterDay(  # type: ignore[misc]  # a live register counts every vendor: never None
            market_id=market_id,
            day=day,
            in_pilot=row.in_pilot,
            stalls=row.stalls,
            vendors_registered=row.vendors_registered,
            vendors_with_code=row.vendors_with_code,
            recorded_at=now,
        )
        for market_id, row in live_register(markets, day).items()
    ]
    with transaction.atomic():
        MarketRegisterDay.objects.filter(day=day).delete()
        MarketRegisterDay.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


# --- full recomputation and the check -----------------------------------------------


def _fresh_market_partner_days(first: dt.date, last: dt.date) -> QuerySet:
    return (
        Transaction.objects.filter(market__isnull=False, status=Status.COMPLETED, business_date__range=(first, last))
        .values("market_id", "partner", "business_date")
        .annotate(**_money("payments_count", "payments_amount", "refunds_count", "refunds_amount"))
        .values_list("market_id", "partner", "business_date", *MPD_FIELDS[3:])
        .order_by("market_id", "partner", "business_date")
    )


def _fresh_vendor_days(first: dt.date, last: dt.date) -> QuerySet:
    return (
        Transaction.objects.filter(
            market__isnull=False, vendor__isnull=False, status=Status.COMPLETED, business_date__range=(first, last)
        )
        .values("market_id", "vendor_id", "business_date")
        .annotate(**_money("payments_count", "payments_amount", "refunds_amount"))
        .values_list("market_id", "vendor_id", "business_date", *VD_FIELDS[3:])
        .order_by("market_id", "vendor_id", "business_date")
    )


def _stored(model: type[Model], fields: tuple[str, ...], first: dt.date, last: dt.date) -> Iterator[tuple]:
    """Stored rows with something in them; all-zero rows equal no row."""
    values = fields[3:]
    nonzero = Q()
    for name in values:
        nonzero |= ~Q(**{name: 0})
    return (
        model._default_manager.filter(nonzero, day__range=(first, last))
        .order_by(*fields[:3])
        .values_list(*fields)
        .iterator(chunk_size=BATCH)
    )


def _insert_select(model: type[Model], fields: tuple[str, ...], fresh: QuerySet) -> int:
    """INSERT … SELECT: the database builds the rollup rows in one statement."""
    sql, params = fresh.order_by().query.sql_with_params()
    fields_by_name = {field.name: field for field in model._meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(fields_by_name[f.removesuffix("_id")].column) for f in fields)  # type: ignore[arg-type]  # concrete: named
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({columns}) {sql}", params)  # noqa: S608 — names are ours
        return cursor.rowcount


def _transaction_span() -> tuple[dt.date, dt.date]:
    span = Transaction.objects.filter(market__isnull=False).aggregate(
        first=Min("business_date"), last=Max("business_date")
    )
    today = clock.today()
    return span["first"] or today, max(span["last"] or today, today)


def rollups_recompute(*, first: dt.date | None = None, last: dt.date | None = None) -> dict[str, int]:
    """Rebuild the rollups of [first, last] from raw transactions (default:
    everything). Set-based: the database aggregates and inserts."""
    span_first, span_last = _transaction_span()
    first, last = first or span_first, last or span_last
    today = clock.today()
    with transaction.atomic():
        MarketPartnerDay.objects.filter(day__range=(first, last)).delete()
        VendorDay.objects.filter(day__range=(first, last)).delete()
        mpd = _insert_select(MarketPartnerDay, MPD_FIELDS, _fresh_market_partner_days(first, last))
        vd = _insert_select(VendorDay, VD_FIELDS, _fresh_vendor_days(first, last))
        md = _rebuild_market_days(first, min(last, today)) if first <= today else 0
    return {"market_partner_days": mpd, "vendor_days": vd, "market_days": md}


def _rebuild_market_days(first: dt.date, last: dt.date) -> int:
    earliest = measures.window(first, measures.WINDOW_LONG)[0]
    counts = _counts_by_market(_activity(VendorDay.objects.filter(day__range=(earliest, last))), first, last)
    MarketDay.objects.filter(day__range=(first, last)).delete()
    MarketDay.objects.bulk_create(
        [MarketDay(market_id=m, day=d, transacting_7d=t7, transacting_30d=t30) for (m, d), (t7, t30) in counts.items()],
        batch_size=BATCH,
    )
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    now = clock.now()
    RollupDay.objects.bulk_create(
        [RollupDay(day=d, opened_at=now) for d in days], ignore_conflicts=True, batch_size=BATCH
    )
    return len(counts)


def _diff(stored: Iterator[tuple], fresh: Iterator[tuple], key_size: int = 3) -> tuple[int, list[dict]]:
    """Merge two key-sorted streams; (rows compared, differences)."""
    compared, differences = 0, []
    # A row, or None once its stream is spent; the tests below keep the two apart.
    stored_row: Any = next(stored, None)
    fresh_row: Any = next(fresh, None)
    while stored_row is not None or fresh_row is not None:
        compared += 1
        s_key: Any = stored_row[:key_size] if stored_row is not None else None
        f_key: Any = fresh_row[:key_size] if fresh_row is not None else None
        if f_key is None or (s_key is not None and s_key < f_key):
            differences.append({"key": _plain(s_key), "stored": list(stored_row[key_size:]), "fresh": None})
            stored_row = next(stored, None)
        elif s_key is None or f_key < s_key:
            differences.append({"key": _plain(f_key), "stored": None, "fresh": list(fresh_row[key_size:])})
            fresh_row = next(fresh, None)
        else:
            if tuple(stored_row) != tuple(fresh_row):
                differences.append(
                    {"key": _plain(s_key), "stored": list(stored_row[key_size:]), "fresh": list(fresh_row[key_size:])}
                )
            stored_row, fresh_row = next(stored, None), next(fresh, None)
    return compared, differences


def _plain(key: tuple) -> list:
    return [part.isoformat() if isinstance(part, dt.date) else part for part in key]


def rollups_check(*, first: dt.date | None = None, last: dt.date | None = None, repair: bool = True) -> RollupCheck:
    """Recompute [first, last] from raw transactions and compare it with the
    rollups. Differences are logged, recorded and, with `repair`, fixed by
    rebuilding the range."""
    started = clock.now()
    span_first, span_last = _transaction_span()
    first, last = first or span_first, last or span_last
    today = clock.today()
    if first <= today:
        # Days nobody opened have no rows yet; opening them is not drift.
        rollup_days_open(days=[first + dt.timedelta(days=n) for n in range((min(last, today) - first).days + 1)])
    checks = {
        "market_partner_days": _diff(
            _stored(MarketPartnerDay, MPD_FIELDS, first, last),
            _fresh_market_partner_days(first, last).iterator(chunk_size=BATCH),
        ),
        "vendor_days": _diff(
            _stored(VendorDay, VD_FIELDS, first, last),
            _fresh_vendor_days(first, last).iterator(chunk_size=BATCH),
        ),
    }
    if first <= today:
        checks["market_days"] = _check_market_days(first, min(last, today))
    drift = sum(len(found) for _compared, found in checks.values())
    if drift and repair:
        rollups_recompute(first=first, last=last)
    check = RollupCheck.objects.create(
        started_at=started,
        finished_at=clock.now(),
        first_day=first,
        last_day=last,
        rows_checked=sum(compared for compared, _found in checks.values()),
        drift_rows=drift,
        repaired=bool(drift and repair),
        details={
            name: {"differences": len(found), "examples": found[:DETAIL_LIMIT]}
            for name, (_compared, found) in checks.items()
        },
    )
    if drift:
        logger.warning("adoption rollups drifted: %s rows differ in %s..%s (%s)", drift, first, last, check.details)
    return check


def _check_market_days(first: dt.date, last: dt.date) -> tuple[int, list[dict]]:
    earliest = measures.window(first, measures.WINDOW_LONG)[0]
    fresh_activity = (
        Transaction.objects.filter(
            measures.PAYMENTS, market__isnull=False, vendor__isnull=False, business_date__range=(earliest, last)
        )
        .values_list("market_id", "vendor_id", "business_date")
        .distinct()
        .order_by("market_id", "vendor_id", "business_date")
        .iterator(chunk_size=BATCH)
    )
    fresh = _counts_by_market(fresh_activity, first, last)
    stored = (
        MarketDay.objects.filter(day__range=(first, last), transacting_30d__gt=0)
        .order_by("market_id", "day")
        .values_list("market_id", "day", "transacting_7d", "transacting_30d")
        .iterator(chunk_size=BATCH)
    )
    fresh_rows = iter(sorted((m, d, t7, t30) for (m, d), (t7, t30) in fresh.items()))
    return _diff(stored, fresh_rows, key_size=2)
