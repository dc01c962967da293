"""Adoption at city scale: 109 markets, 20,000 vendors, 5,000,000 transactions.

Runs in a child process against a scratch PostgreSQL database it creates
(`market40_bench_adoption`) and drops: vendors, accounts, codes and a year of
transactions go in with COPY, the rollups are built by the set-based
recompute, then the dashboard and GET /api/v1/adoption are timed (Django test
client, in process) against computing the same report straight from the
transactions table. Goals: p95 under 150 ms, at least 20x faster.

The PostgreSQL server is the project's (DATABASE_URL's, or the embedded
one), or BENCH_POSTGRES_URL when set.
"""

import datetime as dt
import os
import random
import statistics
import sys
import time

from bench.common import Row, emit, log, run_in_scratch_database

SCRATCH = "market40_bench_adoption"
VENDORS = 20_000
TRANSACTIONS = 5_000_000
DAYS = 365
REQUESTS = 60
GOAL_MS = 150.0
GOAL_RATIO = 20.0
NAME = "adoption"
NULL = "\\N"  # COPY's text format


def run() -> list[Row]:
    keep = os.environ.get("BENCH_ADOPTION_KEEP") == "1"  # reuse and keep the data (profiling)
    return run_in_scratch_database(name=NAME, module="bench.bench_adoption", scratch=SCRATCH, keep=keep)


# --- the child process -------------------------------------------------------------


def _copy(cursor, table: str, columns: list[str], lines) -> None:
    """COPY text rows (already tab-separated) into a table, in large blocks."""
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        block = []
        for line in lines:
            block.append(line)
            if len(block) >= 20_000:
                copy.write("".join(block))
                block.clear()
        if block:
            copy.write("".join(block))


def _generate(rng: random.Random) -> dict:
    from django.db import connection

    from core import clock
    from merchants.models import Market

    today = clock.today()
    now = clock.now().isoformat()
    markets = list(Market.objects.order_by("code").values_list("pk", "stall_count", "is_pilot"))
    weights = [stalls * (1.6 if pilot else 1.0) for _pk, stalls, pilot in markets]
    vendors = []  # (vendor id, market id, pilot, status)
    stall_numbers: dict[int, int] = {}
    statuses = ["active"] * 80 + ["suspended"] * 6 + ["draft"] * 6 + ["closed"] * 8
    for n in range(1, VENDORS + 1):
        market_id, _stalls, pilot = rng.choices(markets, weights)[0]
        stall_numbers[market_id] = stall_numbers.get(market_id, 0) + 1
        vendors.append((n, market_id, pilot, rng.choice(statuses), stall_numbers[market_id]))
    partners = ["vnpt", "viettel", "mobifone"]
    with connection.cursor() as cursor:
        raw = cursor.cursor
        _copy(
            raw,
            "merchants_vendor",
            [
                "id",
                "code",
                "market_id",
                "stall_number",
                "full_name",
                "trade_name",
                "phone",
                "national_id",
                "category",
                "status",
                "payment_reference",
                "consent_version",
                "consent_recorded_at",
                "created_at",
                "updated_at",
            ],
            (
                f"{n}\tTT{n:08d}\t{m}\tS-{s:05d}\tNguyễn Thị Lan\t\t0912345678\t092186000123\trau-cu\t{st}\t"
                f"C4B{n:09d}\t2026-01\t{now}\t{now}\t{now}\n"
                for n, m, _p, st, s in vendors
            ),
        )
        _copy(
            raw,
            "merchants_walletaccount",
            ["id", "vendor_id", "partner", "account_number", "is_active", "created_at"],
            (f"{n}\t{n}\t{partners[n % 3]}\t09{n:08d}\tt\t{now}\n" for n, *_rest in vendors),
        )
        _copy(
            raw,
            "merchants_paymentcode",
            [
                "id",
                "wallet_account_id",
                "payment_reference",
                "payload",
                "version",
                "issued_at",
                "revoked_at",
                "revoke_reason",
            ],
            (
                f"{n}\t{n}\tC4B{n:09d}\t000201\t1\t{now}\t{NULL if rng.random() < 0.85 else now}\t\n"
                for n, *_rest in vendors
            ),
        )
        for table in ("merchants_vendor", "merchants_walletaccount", "merchants_paymentcode"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
            )

    # Who takes payments and from when: pilot vendors earlier and more often.
    first_day = today - dt.timedelta(days=DAYS - 1)
    activity = []  # [vendor id, market id, day, count]
    for n, market_id, pilot, status, _stall in vendors:
        if status == "draft" or rng.random() > (0.75 if pilot else 0.4):
            continue
        start = rng.randint(0, DAYS - 1) if not pilot else int(rng.random() ** 2 * (DAYS - 1))
        keep = 0.6 if pilot else 0.45
        for offset in range(start, DAYS):
            if rng.random() < keep:
                activity.append([n, market_id, first_day + dt.timedelta(days=offset), rng.randint(1, 12)])
    total = sum(a[3] for a in activity)
    # Scale to exactly TRANSACTIONS: whole transactions moved at random.
    scale = TRANSACTIONS / total
    for a in activity:
        a[3] = max(1, int(a[3] * scale))
    total = sum(a[3] for a in activity)
    while total != TRANSACTIONS:
        a = rng.choice(activity)
        if total < TRANSACTIONS:
            a[3] += 1
            total += 1
        elif a[3] > 1:
            a[3] -= 1
            total -= 1
    log(f"{len(activity):,} vendor-days with payments, {total:,} transactions")

    tz = "+07"

    def lines():
        n = 0
        for vendor_id, market_id, day, count in activity:
            partner = partners[vendor_id % 3]
            for _ in range(count):
                n += 1
                roll = rng.random()
                kind, status = "payment", "completed"
                if roll < 0.015:
                    status = "failed"
                elif roll < 0.02:
                    status = "reversed"
                elif roll < 0.03:
                    kind = "refund"
                seconds = rng.randint(5 * 3600, 19 * 3600)
                moment = f"{day.isoformat()} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{tz}"
                yield (
                    f"{n}\t{partner}\tB{n:010d}\t{kind}\t{status}\t\t{rng.randint(5, 500) * 1000}\t{moment}\t"
                    f"{day.isoformat()}\t09{vendor_id:08d}\tC4B{vendor_id:09d}\t\t\t{vendor_id}\t{vendor_id}\t"
                    f"{market_id}\tmatched\t\twebhook\tbench\t{moment}\t\n"
                )

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'payments_transaction' "
            "AND indexname <> 'payments_transaction_pkey'"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'payments_transaction'::regclass AND contype = 'u'"
        )
        uniques = cursor.fetchall()
        for name, _definition in uniques:
            cursor.execute(f"ALTER TABLE payments_transaction DROP CONSTRAINT {name}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        # Foreign keys point at rows written just above; no per-row checks.
        cursor.execute("SET session_replication_role = replica")
        started = time.perf_counter()
        _copy(
            cursor.cursor,
            "payments_transaction",
            [
                "id",
                "partner",
                "partner_transaction_id",
                "kind",
                "status",
                "partner_status",
                "amount",
                "completed_at",
                "business_date",
                "credit_account",
                "reference",
                "description",
                "original_partner_transaction_id",
                "wallet_account_id",
                "vendor_id",
                "market_id",
                "attribution",
                "attribution_reason",
                "source",
                "content_digest",
                "created_at",
                "payer",
            ],
            lines(),
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        log(f"COPY of {TRANSACTIONS:,} transactions: {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        for name, definition in uniques:
            cursor.execute(f"ALTER TABLE payments_transaction ADD CONSTRAINT {name} {definition}")
        for name, definition in indexes:
            if name not in {u[0] for u in uniques}:
                cursor.execute(definition)
        cursor.execute("SELECT setval(pg_get_serial_sequence('payments_transaction', 'id'), %s)", [TRANSACTIONS])
        cursor.execute("ANALYZE")
        log(f"indexes and ANALYZE: {time.perf_counter() - started:.0f} s")
    return {"today": today}


def _percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _time_requests(client, path: str, params: dict) -> list[float]:
    for _ in range(3):
        assert client.get(path, params).status_code == 200
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(path, params)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return samples


def worker() -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from adoption import selectors, services
    from adoption.api import report_out
    from adoption.sources import TRANSACTIONS as STRAIGHT
    from core import clock
    from core.models import Role, StaffProfile
    from payments.models import Transaction

    call_command("migrate", verbosity=0)
    if not Transaction.objects.exists():
        started = time.perf_counter()
        _generate(random.Random(40))
        generation = time.perf_counter() - started
        figure = f"generate {VENDORS:,} vendors + {TRANSACTIONS:,} transactions (COPY)"
        emit(Row(NAME, figure, f"{generation:.0f} s", "a few minutes", generation < 300))

        started = time.perf_counter()
        built = services.rollups_recompute()
        with connection.cursor() as cursor:
            # What autovacuum does after a bulk load: statistics, and the
            # visibility map that lets the covering index answer alone.
            cursor.execute("VACUUM ANALYZE")
        seconds = time.perf_counter() - started
        vendor_days = f"{built['vendor_days']:,} vendor-days"
        emit(Row(NAME, "build rollups, set-based recompute", f"{seconds:.0f} s", vendor_days, None))

    department, _created = User.objects.get_or_create(username="bench_department")
    StaffProfile.objects.get_or_create(user=department, defaults={"role": Role.DEPARTMENT})
    client = Client()
    client.force_login(department)
    period = selectors.period_for(day=clock.today(), period="month")
    params = {"date": period.as_of.isoformat(), "period": "month"}

    api = _time_requests(client, "/api/v1/adoption", params)
    from django.core.cache import cache

    cache.clear()
    started = time.perf_counter()
    assert client.get("/api/v1/adoption", params).status_code == 200
    cold = (time.perf_counter() - started) * 1000
    emit(Row(NAME, "GET /api/v1/adoption once today's register cache expired", f"{cold:.0f} ms", "", None))
    page = _time_requests(client, "/dashboard/", params)
    for label, samples in (("GET /api/v1/adoption", api), ("GET /dashboard/", page)):
        p95 = _percentile(samples, 95)
        emit(
            Row(
                NAME,
                f"{label} p95 ({REQUESTS} requests, p50 {statistics.median(samples):.0f} ms)",
                f"{p95:.0f} ms",
                f"< {GOAL_MS:.0f} ms",
                p95 < GOAL_MS,
            )
        )

    straight = []
    for _ in range(int(os.environ.get("BENCH_ADOPTION_STRAIGHT_RUNS", "1"))):
        started = time.perf_counter()
        reference = selectors.adoption_report(period=period, source=STRAIGHT)
        straight.append((time.perf_counter() - started) * 1000)
    same = report_out(reference) == report_out(selectors.adoption_report(period=period))
    emit(Row(NAME, "same figures from rollups and from transactions", "yes" if same else "NO", "identical", same))
    straight_ms = statistics.median(straight)
    emit(
        Row(
            NAME,
            f"straight computation from transactions (median of {len(straight)})",
            f"{straight_ms:.0f} ms",
            "",
            None,
        )
    )
    for label, samples in (("API", api), ("dashboard", page)):
        ratio = straight_ms / _percentile(samples, 95)
        emit(
            Row(
                NAME,
                f"speed-up, {label} p95 against straight median",
                f"{ratio:.0f}x",
                f">= {GOAL_RATIO:.0f}x",
                ratio >= GOAL_RATIO,
            )
        )

    ids = list(Transaction.objects.filter(business_date=clock.today()).values_list("pk", flat=True)[:50])
    samples = []
    for txn_id in ids:
        started = time.perf_counter()
        services.rollup_transaction_recorded(transaction_id=txn_id)
        samples.append((time.perf_counter() - started) * 1000)
    if samples:
        emit(
            Row(
                NAME,
                f"incremental rollup of one transaction p95 ({len(samples)})",
                f"{_percentile(samples, 95):.1f} ms",
                "",
                None,
            )
        )

    started = time.perf_counter()
    check = services.rollups_check(repair=False)
    seconds = time.perf_counter() - started
    emit(
        Row(
            NAME,
            f"nightly check, whole year ({check.rows_checked:,} rows)",
            f"{seconds:.0f} s",
            "drift 0",
            check.drift_rows == 0,
        )
    )


if __name__ == "__main__" and sys.argv[1:] == ["worker"]:
    worker()
