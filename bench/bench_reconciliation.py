"""Reconciliation at scale, on PostgreSQL (its own scratch database).

1,000,000 recorded VNPT transactions against a 1,000,000-line settlement file
with 1 % planted differences (amount, missing, extra, duplicate, status):
seconds end to end (import: parse, check, COPY; then the run: matching,
missed-webhook transactions, exceptions, totals) and peak memory, against the
floor measured in the same process: the same file loaded with COPY into an
unlogged table. Then a 100,000-row Viettel XLSX end to end.

Each measurement runs in a fresh process (so peak RSS is its own) pointed at
`market40_bench_recon`, created and dropped here on the project's server
(DATABASE_URL's, or the embedded one). Set BENCH_POSTGRES_URL to use
another server; without a reachable PostgreSQL the figures say so.
"""

import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from bench.common import Row
from market40 import database
from proof.live import server_url

DB_NAME = "market40_bench_recon"
TRANSACTIONS = 1_000_000
VIETTEL_ROWS = 100_000
VENDORS = 2_000
DAY = dt.date(2026, 11, 20)
SHARE = 0.01  # planted differences, split evenly over the five kinds
GOALS = {"seconds": 4.0, "ratio": 3.0, "memory_mib": 1024.0, "viettel_seconds": 15.0}


def _server_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL") or server_url()


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(database.with_database(url, "postgres"), autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql)


def _child(step: str, url: str, workdir: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database.with_database(url, DB_NAME),
        "DJANGO_SETTINGS_MODULE": "market40.settings",
        # Follow-up work of learnt transactions is queued, not run inside the measurement.
        "REDIS_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(  # noqa: S603 — our own interpreter and module
        [sys.executable, "-m", "bench.bench_reconciliation", step, str(workdir)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench step {step} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run() -> list[Row]:
    import tempfile

    url = _server_url()
    try:
        _admin(url, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        _admin(url, f"CREATE DATABASE {DB_NAME}")
    except Exception as exc:  # noqa: BLE001 — any connection failure means no figures
        return [Row("reconciliation", "needs PostgreSQL", f"not run: {exc.__class__.__name__}", "", None)]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            _child("setup", url, workdir)
            vnpt = _child("vnpt", url, workdir)
            viettel = _child("viettel", url, workdir)
    finally:
        _admin(url, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    ratio = vnpt["seconds"] / vnpt["floor_seconds"]
    n = f"{TRANSACTIONS:,}"
    return [
        Row(
            "reconciliation", "floor: COPY the file into an unlogged table", f"{vnpt['floor_seconds']:.2f} s", "", None
        ),
        Row("reconciliation", f"VNPT {n} lines vs {n} recorded, import", f"{vnpt['import_seconds']:.2f} s", "", None),
        Row("reconciliation", "VNPT run (matching, exceptions, totals)", f"{vnpt['run_seconds']:.2f} s", "", None),
        Row(
            "reconciliation",
            "VNPT end to end",
            f"{vnpt['seconds']:.2f} s",
            f"< {GOALS['seconds']:.0f} s",
            vnpt["seconds"] < GOALS["seconds"],
        ),
        Row(
            "reconciliation",
            "VNPT end to end / floor",
            f"{ratio:.1f}×",
            f"< {GOALS['ratio']:.0f}×",
            ratio < GOALS["ratio"],
        ),
        Row(
            "reconciliation",
            "VNPT peak memory (process RSS)",
            f"{vnpt['memory_mib']:.0f} MiB",
            "< 1024 MiB",
            vnpt["memory_mib"] < GOALS["memory_mib"],
        ),
        Row(
            "reconciliation",
            "VNPT exceptions found / planted",
            f"{vnpt['exceptions']:,} / {vnpt['planted']:,}",
            "",
            vnpt["exceptions"] == vnpt["planted"],
        ),
        Row(
            "reconciliation",
            f"Viettel {VIETTEL_ROWS:,}-row XLSX end to end",
            f"{viettel['seconds']:.2f} s",
            f"< {GOALS['viettel_seconds']:.0f} s",
            viettel["seconds"] < GOALS["viettel_seconds"],
        ),
    ]


# --- the child processes ---------------------------------------------------


def _setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market40.settings")

    django.setup()


def _vendors() -> list[tuple[int, int, str, str, str, str]]:
    """VENDORS active vendors with a VNPT and a Viettel wallet each."""
    from django.utils import timezone

    from merchants.models import Market, Vendor, WalletAccount

    markets = list(Market.objects.order_by("code").values_list("pk", flat=True))
    now = timezone.now()
    vendors = Vendor.objects.bulk_create(
        [
            Vendor(
                code=f"BV{i:06d}",
                market_id=markets[i % len(markets)],
                stall_number=f"B-{i:05d}",
                full_name=f"Tiểu thương {i}",
                phone=f"09{i:08d}",
                national_id=f"{i:012d}",
                category="rau-cu",
                status="active",
                payment_reference=f"C4B{i:07d}",
                consent_version="2026-01",
                consent_recorded_at=now,
            )
            for i in range(VENDORS)
        ]
    )
    accounts = []
    for i, vendor in enumerate(vendors):
        accounts.append(WalletAccount(vendor=vendor, partner="vnpt", account_number=f"091{i:07d}"))
        accounts.append(WalletAccount(vendor=vendor, partner="viettel", account_number=f"098{i:07d}"))
    WalletAccount.objects.bulk_create(accounts)
    return [
        (v.pk, v.market_id, f"091{i:07d}", f"098{i:07d}", v.payment_reference, v.code) for i, v in enumerate(vendors)
    ]


def _copy_transactions(partner: str, count: int, vendors, prefix: str, account_index: int) -> list[tuple]:
    """`count` recorded transactions for DAY, written with COPY; returns them
    as (id, completed_at, account, reference, amount)."""
    from zoneinfo import ZoneInfo

    from django.db import connection

    local = ZoneInfo("Asia/Ho_Chi_Minh")
    start = dt.datetime.combine(DAY, dt.time(5, 0), tzinfo=local)
    rng = random.Random(40)
    rows = []
    columns = (
        "partner, partner_transaction_id, kind, status, partner_status, amount, completed_at, business_date, "
        "credit_account, reference, description, original_partner_transaction_id, wallet_account_id, vendor_id, "
        "market_id, attribution, attribution_reason, source, content_digest, created_at, payer"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT account_number, id FROM merchants_walletaccount WHERE partner = %s", [partner])
        accounts = dict(cursor.fetchall())
        with cursor.cursor.copy(f"COPY payments_transaction ({columns}) FROM STDIN") as copy:  # noqa: S608
            for i in range(count):
                vendor_id, market_id, *accts, reference, _code = vendors[i % len(vendors)]
                account = accts[account_index]
                when = start + dt.timedelta(milliseconds=i * 50_400_000 // count)
                amount = rng.randint(5, 500) * 1000
                txn_id = f"{prefix}{i:010d}"
                copy.write_row(
                    (
                        partner,
                        txn_id,
                        "payment",
                        "completed",
                        "",
                        amount,
                        when,
                        DAY,
                        account,
                        reference,
                        "",
                        "",
                        accounts[account],
                        vendor_id,
                        market_id,
                        "matched",
                        "",
                        "webhook",
                        "x" * 64,
                        when,
                        "",
                    )
                )
                rows.append((txn_id, when, account, reference, amount))
    return rows


def _plant(rows: list[tuple], vendors) -> tuple[list[tuple], int]:
    """File lines (id, kind, when, account, reference, amount, original) with
    SHARE of them made different; returns lines and how many exceptions to expect."""
    rng = random.Random(7)
    per_kind = int(len(rows) * SHARE) // 5
    chosen = rng.sample(range(len(rows)), per_kind * 4)
    amount_ix, missing_ix, duplicate_ix, status_ix = (set(chosen[k * per_kind : (k + 1) * per_kind]) for k in range(4))
    lines = []
    for i, (txn_id, when, account, reference, amount) in enumerate(rows):
        if i in missing_ix:
            continue
        kind, original = "payment", ""
        if i in amount_ix:
            amount += 1000
        if i in status_ix:
            kind, original = "refund", txn_id
        lines.append((txn_id, kind, when, account, reference, amount, original))
        if i in duplicate_ix:
            lines.append((txn_id, kind, when, account, reference, amount, original))
    for k in range(per_kind):
        txn_id, when, account, reference, _amount = rows[rng.randrange(len(rows))]
        lines.append((f"{txn_id}X{k:05d}", "payment", when, account, reference, 25000, ""))
    # Missing lines are reported only once the next day's file is in.
    return lines, per_kind * 5


def _setup(workdir: Path) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    vendors = _vendors()
    rows = _copy_transactions("vnpt", TRANSACTIONS, vendors, "VNPT261120", 0)
    lines, expected = _plant(rows, vendors)
    with open(workdir / "VNPT_SETTLEMENT_20261120.csv", "w", encoding="utf-8", newline="") as out:
        out.write(
            "transaction_id,type,completed_at,credit_account,reference,amount,fee,net_amount,original_transaction_id\n"
        )
        for txn_id, kind, when, account, reference, amount, original in lines:
            net = amount if kind == "payment" else -amount
            out.write(
                f"{txn_id},{kind.upper()},{when.isoformat(timespec='seconds')},{account},{reference},{amount},0,{net},"
                f"{original}\n"
            )
    # The next day's file is in, so missing lines are exceptions tonight.
    (workdir / "VNPT_SETTLEMENT_20261121.csv").write_text(
        "transaction_id,type,completed_at,credit_account,reference,amount,fee,net_amount,original_transaction_id\n"
    )
    viettel = _copy_transactions("viettel", VIETTEL_ROWS, vendors, "VT261120", 1)
    from reconciliation.parsers import Line
    from reconciliation.parsers import viettel as viettel_format

    viettel_lines = [
        Line(i + 1, txn_id, "payment", "completed", when, account, reference, amount, 0, amount, "", "")
        for i, (txn_id, when, account, reference, amount) in enumerate(viettel)
    ]
    (workdir / "VIETTEL_DOISOAT_20261120.xlsx").write_bytes(viettel_format.render(viettel_lines, business_date=DAY))
    (workdir / "expected.json").write_text(json.dumps({"planted": expected}))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE payments_transaction")
    print(json.dumps({"ok": True}))


def _floor(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_floor (transaction_id text, type text, completed_at timestamptz, "
            "credit_account text, reference text, amount bigint, fee bigint, net_amount bigint, "
            "original_transaction_id text)"
        )
        started = time.perf_counter()
        with open(path, "rb") as source, cursor.cursor.copy("COPY bench_floor FROM STDIN (FORMAT csv, HEADER)") as copy:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_floor")
    return seconds


def _reconcile(path: Path, partner: str) -> tuple[float, float, int]:
    from reconciliation import services
    from reconciliation.models import Channel

    started = time.perf_counter()
    services.settlement_file_import(
        actor=None, file_name=path.name, content=path.read_bytes(), channel=Channel.COMMAND, partner=partner
    )
    imported = time.perf_counter()
    run = services.reconciliation_run(actor=None, partner=partner, business_date=DAY)
    finished = time.perf_counter()
    return imported - started, finished - imported, run.exception_count


def _measure_vnpt(workdir: Path) -> None:
    import resource

    from reconciliation import services
    from reconciliation.models import Channel

    path = workdir / "VNPT_SETTLEMENT_20261120.csv"
    following = workdir / "VNPT_SETTLEMENT_20261121.csv"
    services.settlement_file_import(
        actor=None, file_name=following.name, content=following.read_bytes(), channel=Channel.COMMAND
    )
    floor = _floor(path)
    import_seconds, run_seconds, exceptions = _reconcile(path, "vnpt")
    planted = json.loads((workdir / "expected.json").read_text())["planted"]
    print(
        json.dumps(
            {
                "floor_seconds": floor,
                "import_seconds": import_seconds,
                "run_seconds": run_seconds,
                "seconds": import_seconds + run_seconds,
                "memory_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "exceptions": exceptions,
                "planted": planted,
            }
        )
    )


def _measure_viettel(workdir: Path) -> None:
    import_seconds, run_seconds, exceptions = _reconcile(workdir / "VIETTEL_DOISOAT_20261120.xlsx", "viettel")
    print(json.dumps({"seconds": import_seconds + run_seconds, "exceptions": exceptions}))


if __name__ == "__main__":
    _setup_django()
    step, folder = sys.argv[1], Path(sys.argv[2])
    {"setup": _setup, "vnpt": _measure_vnpt, "viettel": _measure_viettel}[step](folder)
