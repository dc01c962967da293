"""Nothing lost: 10,000 signed deliveries at 200/s to gunicorn while
PostgreSQL is restarted twice (once with an immediate shutdown, a crash
recovered from WAL) and the Celery worker is killed with SIGKILL.

The partner simulator (`manage.py simulate_partners`) is a separate process
and retries as partners.md says; its retry schedule (5 s, 5 min, 30 min, …)
runs RETRY_SPEEDUP times faster, and the outbox's own timers (claim expiry,
retry delay, sweep interval) are shortened the same way, so the hours a
real recovery may take fit in a minute. The simulator writes a ledger
outside the database: what was sent and whether the partner counted it as
done. Afterwards every acknowledged delivery must be a transaction with the
content sent, no transaction may exist that was not sent, none twice, and
all follow-up work (outbox events: refund links, adoption rollups) done.

The seed chooses when each fault strikes.
"""

import datetime as dt
import json
import random
import time
from collections import Counter

from bench.bench_webhooks import ACCOUNTS, SETUP
from bench.common import Row
from proof.stack import Stack, free_port

NAME = "nothing_lost"
DB = "market40_proof_faults_nothing_lost"
DELIVERIES = 10_000
RATE = 200
CONCURRENCY = 8
RETRY_SPEEDUP = 60
# The outbox timers, shortened for the proof (defaults: 120 s, 30 s, 60 s).
TIMERS = {"OUTBOX_CLAIM_SECONDS": "10", "OUTBOX_RETRY_SECONDS": "1", "OUTBOX_SWEEP_SECONDS": "5"}
DRAIN_TIMEOUT = 240.0
EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)


def plan(seed: int) -> dict:
    """When each fault strikes, in seconds after the first delivery."""
    rnd = random.Random(seed)
    return {
        "postgres_fast_at": round(rnd.uniform(6, 15), 1),
        "worker_kill_at": round(rnd.uniform(15, 28), 1),
        "worker_down_for": round(rnd.uniform(2, 6), 1),
        "postgres_immediate_at": round(rnd.uniform(30, 42), 1),
    }


def run(seed: int) -> list[Row]:
    faults = plan(seed)
    print(
        f"   seed {seed}: PostgreSQL fast restart at {faults['postgres_fast_at']} s, Celery worker SIGKILL at "
        f"{faults['worker_kill_at']} s (back {faults['worker_down_for']} s later), PostgreSQL immediate "
        f"shutdown at {faults['postgres_immediate_at']} s; replay with PROOF_SEED={seed} python -m proof {NAME}",
        flush=True,
    )
    with Stack(NAME, extra_env=TIMERS) as stack:
        stack.create_database(DB)
        stack.manage(DB, "migrate", "--noinput")
        stack.manage(DB, "shell", "-c", SETUP.format(accounts=ACCOUNTS))
        port = free_port()
        stack.gunicorn(DB, port)
        worker = stack.worker(DB, "ingest,default", "ingest")
        stack.beat(DB)
        ledger = stack.dir / "ledger.jsonl"
        started = time.monotonic()
        simulator = stack.spawn(
            "simulator",
            DB,
            [
                "manage.py",
                "simulate_partners",
                f"--url=http://127.0.0.1:{port}",
                f"--count={DELIVERIES}",
                f"--rate={RATE}",
                f"--seed={seed}",
                f"--retry-speedup={RETRY_SPEEDUP}",
                f"--concurrency={CONCURRENCY}",
                f"--ledger={ledger}",
            ],
        )
        downtime: dict[str, float] = {}

        def kill_worker() -> None:
            stack.kill(worker)
            time.sleep(faults["worker_down_for"])
            stack.worker(DB, "ingest,default", "ingest")

        timeline = sorted(
            [
                (
                    faults["postgres_fast_at"],
                    "fast",
                    lambda: downtime.__setitem__("fast", stack.restart_postgres("fast")),
                ),
                (
                    faults["postgres_immediate_at"],
                    "immediate",
                    lambda: downtime.__setitem__("immediate", stack.restart_postgres("immediate")),
                ),
                (faults["worker_kill_at"], "worker", kill_worker),
            ],
            key=lambda step: step[0],
        )
        for at, label, strike in timeline:
            time.sleep(max(0.0, started + at - time.monotonic()))
            if not simulator.alive():
                raise RuntimeError(f"the simulator ended before the {label} fault:\n{simulator.tail()}")
            strike()
            print(f"   {time.monotonic() - started:5.1f} s  {label} fault done", flush=True)
        simulator.popen.wait(timeout=900)
        sending = time.monotonic() - started
        drain_started = time.monotonic()
        pending = _pending(stack)
        reported = drain_started
        while pending and time.monotonic() - drain_started < DRAIN_TIMEOUT:
            time.sleep(0.5)
            pending = _pending(stack)
            if time.monotonic() - reported >= 15:
                reported = time.monotonic()
                print(f"   {reported - started:5.1f} s  {pending} follow-up events pending", flush=True)
        drained = time.monotonic() - drain_started
        rollups = _rollup_check(stack)
        return _verdict(stack, ledger, sending, drained, pending, downtime, rollups, simulator.tail(15))


def _pending(stack: Stack) -> int:
    try:
        return int(stack.scalar(DB, "SELECT count(*) FROM payments_outboxevent WHERE processed_at IS NULL"))
    except Exception:  # noqa: BLE001 — a server still recovering counts as work pending
        return -1


def _rollup_check(stack: Stack) -> str:
    try:
        return stack.manage(DB, "recompute_rollups", "--check", "--no-repair").strip()
    except RuntimeError as exc:
        return str(exc).strip().splitlines()[-1]


def _expected(ledger_lines: list[dict]) -> dict[tuple[str, str], tuple]:
    """What each acknowledged transaction must look like: for MobiFone the
    status with the latest update wins (partners.md), for the others a
    transaction's content never changes."""
    latest: dict[tuple[str, str], tuple] = {}
    for line in ledger_lines:
        if not (line["good"] and line["acknowledged"]):
            continue
        key = (line["partner"], line["partner_transaction_id"])
        updated = dt.datetime.fromisoformat(line["status_updated_at"]) if line["status_updated_at"] else EARLIEST
        candidate = (updated, line["kind"], line["status"], line["amount"])
        if key not in latest or candidate[0] > latest[key][0]:
            latest[key] = candidate
    return {key: value[1:] for key, value in latest.items()}


def _verdict(
    stack: Stack,
    ledger,
    sending: float,
    drained: float,
    pending: int,
    downtime: dict[str, float],
    rollups: str,
    simulator_out: str,
) -> list[Row]:
    lines = [json.loads(text) for text in ledger.read_text(encoding="utf-8").splitlines() if text.strip()]
    good = [line for line in lines if line["good"]]
    acknowledged = [line for line in good if line["acknowledged"]]
    given_up = len(good) - len(acknowledged)
    bad_taken = sum(1 for line in lines if not line["good"] and line["acknowledged"])
    retried = sum(line["attempts"] - 1 for line in lines)
    retried_deliveries = sum(1 for line in lines if line["attempts"] > 1)
    expected = _expected(lines)
    sent_keys = {(line["partner"], line["partner_transaction_id"]) for line in good}
    recorded = {
        (partner, txn_id): (kind, status, amount)
        for partner, txn_id, kind, status, amount in stack.query(
            DB, "SELECT partner, partner_transaction_id, kind, status, amount FROM payments_transaction"
        )
    }
    transactions = int(stack.scalar(DB, "SELECT count(*) FROM payments_transaction"))
    duplicates = int(
        stack.scalar(
            DB,
            "SELECT count(*) FROM (SELECT 1 FROM payments_transaction GROUP BY partner, partner_transaction_id "
            "HAVING count(*) > 1) twice",
        )
    )
    missing = [key for key in expected if key not in recorded]
    unsent = [key for key in recorded if key not in sent_keys]
    differing = [key for key, content in expected.items() if key in recorded and recorded[key] != content]
    unlinked = int(
        stack.scalar(
            DB,
            "SELECT count(*) FROM payments_transaction r JOIN payments_transaction p ON p.partner = r.partner "
            "AND p.partner_transaction_id = r.original_partner_transaction_id AND p.kind = 'payment' "
            "WHERE r.kind = 'refund' AND r.original_id IS NULL",
        )
    )
    lag = stack.query(
        DB,
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - created_at)), "
        "max(extract(epoch FROM processed_at - created_at)) FROM payments_outboxevent WHERE processed_at IS NOT NULL",
    )[0]
    failed_once = int(stack.scalar(DB, "SELECT count(*) FROM payments_outboxevent WHERE attempts > 1"))
    answers = Counter(line["answer"] for line in lines)
    for label, keys in (("missing", missing), ("not sent", unsent), ("content differs", differing)):
        if keys:
            print(f"   {label}: {len(keys)}, e.g. {sorted(keys)[:5]}", flush=True)
    if given_up or bad_taken:
        print(f"   simulator said:\n{simulator_out}", flush=True)
    rate = len(lines) / sending if sending else 0.0
    return [
        Row(
            NAME,
            "deliveries sent (new, retries not counted)",
            f"{len(lines):,}",
            f"{DELIVERIES:,}",
            len(lines) == DELIVERIES,
        ),
        Row(NAME, "offered rate over the whole run", f"{rate:.0f} /s", f"{RATE} /s planned", None),
        Row(
            NAME,
            "PostgreSQL down: fast restart / immediate shutdown",
            f"{downtime.get('fast', 0):.1f} s / {downtime.get('immediate', 0):.1f} s",
            "both done",
            len(downtime) == 2,
        ),
        Row(
            NAME,
            "acknowledged by the server (good deliveries)",
            f"{len(acknowledged):,} of {len(good):,}",
            "all",
            given_up == 0,
        ),
        Row(
            NAME,
            "deliberately bad deliveries accepted",
            f"{bad_taken} of {len(lines) - len(good)}",
            "0",
            bad_taken == 0,
        ),
        Row(
            NAME,
            "retries (deliveries retried)",
            f"{retried:,} ({retried_deliveries:,})",
            "",
            None,
        ),
        Row(NAME, "final answers by HTTP status", ", ".join(f"{k}: {v}" for k, v in sorted(answers.items())), "", None),
        Row(
            NAME,
            "transactions recorded / expected",
            f"{transactions:,} / {len(expected):,}",
            "equal",
            transactions == len(expected),
        ),
        Row(NAME, "acknowledged but not recorded", str(len(missing)), "0", not missing),
        Row(NAME, "recorded but never sent", str(len(unsent)), "0", not unsent),
        Row(NAME, "recorded with other content than acknowledged", str(len(differing)), "0", not differing),
        Row(NAME, "recorded twice", str(duplicates), "0", duplicates == 0),
        Row(NAME, "follow-up events pending after the drain", str(pending), "0", pending == 0),
        Row(
            NAME,
            "time to drain after the last acknowledgement",
            f"{drained:.1f} s",
            f"< {DRAIN_TIMEOUT:.0f} s",
            pending == 0,
        ),
        Row(NAME, "follow-up delay p50 / max", f"{float(lag[0] or 0):.1f} s / {float(lag[1] or 0):.1f} s", "", None),
        Row(NAME, "follow-up events that needed a second attempt", f"{failed_once:,}", "", None),
        Row(NAME, "refunds left unlinked to their recorded payment", str(unlinked), "0", unlinked == 0),
        Row(NAME, "adoption rollups against raw transactions", rollups, "0 differ", rollups.endswith(": 0 differ")),
        Row(NAME, "sending, retries included", f"{sending:.0f} s", "", None),
    ]
