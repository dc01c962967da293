"""A backup that is known to restore: pg_dump of a populated database,
pg_restore into a fresh cluster made with initdb, then the restored
database must hold the same rows and give the same answers.

The source is a cluster of its own (proof/stack.py) with the demo data
loaded through the real intake (vendors, a week of takings, a
reconciliation night, weeks of adoption history). The backup is the one
docs/operations.md schedules: `pg_dump --format=custom`. The restore is the
README's steps on a second, empty cluster. Afterwards:

- every table has the same row count and the same digest (an md5 over the
  md5 of each row's text, in sorted order, so physical order does not count);
- a reconciliation rerun of each partner's demo night gives the same JSON
  summary on both;
- the rollup check finds 0 drift on the restored database;
- the restored database takes a new delivery (its sequences came along).
"""

import json
import subprocess
import time

from bench.common import Row
from proof.stack import PG_BIN, Stack

NAME = "backup_restore"
DB = "cho40"
# Eager tasks: the demo's follow-up work runs as it is written, as `make demo` does.
ENV = {"CELERY_TASK_ALWAYS_EAGER": "1"}

_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
_DIGEST = (
    "SELECT count(*), md5(coalesce(string_agg(r, '' ORDER BY r), '')) FROM (SELECT md5(t::text) AS r FROM \"{}\" t) s"
)
_NIGHT = "SELECT DISTINCT partner, business_date::text FROM reconciliation_reconciliationrun ORDER BY 1, 2"


def run(seed: int) -> list[Row]:
    del seed  # the demo data are fixed
    with Stack(NAME, extra_env=ENV) as source, Stack(f"{NAME}_fresh", extra_env=ENV) as fresh:
        source.create_database(DB)
        source.manage(DB, "migrate", "--noinput", timeout=900)
        loaded = time.monotonic()
        source.manage(DB, "load_demo", timeout=1800)
        load_seconds = time.monotonic() - loaded

        dump = source.dir / "cho40.dump"
        began = time.monotonic()
        _pg(["pg_dump", "--format=custom", "--file", str(dump), source.url(DB)])
        backup_seconds = time.monotonic() - began

        # The README's restore: an empty database on the new cluster, then pg_restore.
        fresh.create_database(DB)
        began = time.monotonic()
        _pg(["pg_restore", "--no-owner", "--exit-on-error", "--jobs=2", "--dbname", fresh.url(DB), str(dump)])
        _pg(["vacuumdb", "--analyze-only", "--dbname", fresh.url(DB)])
        restore_seconds = time.monotonic() - began

        tables = [name for (name,) in source.query(DB, _TABLES)]
        before = {name: source.query(DB, _DIGEST.format(name))[0] for name in tables}
        after = {name: fresh.query(DB, _DIGEST.format(name))[0] for name in tables if _exists(fresh, name)}
        differing = sorted(name for name in tables if before[name] != after.get(name))
        rows_total = sum(count for count, _digest in before.values())
        key_tables = ("payments_transaction", "payments_webhookdelivery", "core_auditentry")
        key_counts = ", ".join(f"{name.split('_', 1)[1]} {before[name][0]:,}" for name in key_tables if name in before)

        nights = source.query(DB, _NIGHT)
        reruns = [
            (partner, day, _reconcile(source, partner, day), _reconcile(fresh, partner, day)) for partner, day in nights
        ]
        same_reruns = sum(1 for _p, _d, original, restored in reruns if original == restored)

        check = fresh.manage(DB, "recompute_rollups", "--check", "--no-repair")
        drift = int(fresh.scalar(DB, "SELECT drift_rows FROM market40_rollupcheck ORDER BY id DESC LIMIT 1"))

        deliveries = int(fresh.scalar(DB, "SELECT count(*) FROM payments_webhookdelivery"))
        fresh.manage(DB, "shell", "-c", _ONE_DELIVERY)
        took_one = int(fresh.scalar(DB, "SELECT count(*) FROM payments_webhookdelivery")) == deliveries + 1
        size_mib = dump.stat().st_size / 2**20
        database_mib = int(source.scalar(DB, f"SELECT pg_database_size('{DB}')")) / 2**20

    return [
        Row(NAME, "demo database", f"{database_mib:,.0f} MiB, {rows_total:,} rows in {len(tables)} tables", "", None),
        Row(NAME, "loaded with", f"{key_counts} (load_demo, {load_seconds:.0f} s)", "", None),
        Row(NAME, "pg_dump --format=custom", f"{backup_seconds:.1f} s, {size_mib:,.1f} MiB", "", None),
        Row(NAME, "pg_restore --jobs=2 into a fresh initdb cluster", f"{restore_seconds:.1f} s", "", None),
        Row(
            NAME,
            "tables whose row count or digest differ after restore",
            ", ".join(differing) or "none",
            "none",
            not differing and bool(tables),
        ),
        Row(
            NAME,
            "reconciliation reruns (partner, day) equal on both",
            f"{same_reruns} of {len(reruns)}",
            f"{len(reruns)} of {len(reruns)}, at least 1",
            same_reruns == len(reruns) > 0,
        ),
        Row(
            NAME,
            "rollup check on the restored database: drift",
            f"{drift} ({check.strip().splitlines()[0]})",
            "0",
            drift == 0,
        ),
        Row(NAME, "restored database records a new delivery", "yes" if took_one else "no", "yes", took_one),
    ]


# One signed delivery through the real intake, to a demo vendor's account.
_ONE_DELIVERY = """
from core import clock
from payments import intake
from payments.partners import Notice, adapter_for
from merchants.models import WalletAccount
account = WalletAccount.objects.filter(partner="vnpt").select_related("vendor").first()
notice = Notice(partner_transaction_id="RESTORE-PROOF-1", kind="payment", status="completed", amount=45000,
    completed_at=clock.now(), credit_account=account.account_number, reference=account.vendor.payment_reference,
    description=account.vendor.payment_reference, original_partner_transaction_id="", status_updated_at=None)
adapter = adapter_for("vnpt")
headers, body = adapter.encode(notice, secret=adapter.secrets()[0], now=clock.now(), message_id="msg-restore-proof")
assert intake.receive_delivery(partner="vnpt", headers=headers, body=body).verdict == "accepted"
"""


def _reconcile(stack: Stack, partner: str, day: str) -> dict:
    """The command's JSON summary: the run's id, counts, đồng totals and outcomes."""
    return json.loads(stack.manage(DB, "reconcile", "--partner", partner, "--date", day))


def _exists(stack: Stack, table: str) -> bool:
    return bool(stack.scalar(DB, "SELECT to_regclass(%s) IS NOT NULL", (f'public."{table}"',)))


def _pg(args: list[str]) -> None:
    subprocess.run([str(PG_BIN / args[0]), *args[1:]], check=True, capture_output=True, timeout=1800)  # noqa: S603
