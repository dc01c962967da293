"""A reconciliation worker killed at a random point: the rerun's result is
identical to a clean run's.

The night's work is the real Celery task `reconciliation.reconcile_day` on
a real worker process: collect the partner's settlement files from the
inbox (a day's file with planted differences, and the next day's), import
them, and run every day a file arrived for. One clean run gives the
reference result. Then, for each of KILLS seeds derived from the proof
seed, a fresh copy of the same database and inbox is given to a worker
that is killed with SIGKILL (with its pool) at a seed-chosen moment of the
task; a new worker runs the task again, and the result — every run's
outcome counts and đồng totals, the exception set, the per-vendor totals,
the transactions learnt from the file and the files imported — must equal
the clean run's.
"""

import datetime as dt
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.common import Row
from proof.stack import Process, Stack

NAME = "reconciliation_kill"
BASE_DB = "market40_proof_faults_recon_base"
WORK_DB = "market40_proof_faults_recon"
KILLS = 10
TRANSACTIONS = 60_000
PARTNER = "vnpt"
APP_NAME = "proof-reconciliation-worker"
TASK_TIMEOUT = 300.0


def run(seed: int) -> list[Row]:
    rnd = random.Random(seed)
    seeds = [rnd.randrange(1, 1_000_000) for _ in range(KILLS)]
    print(f"   seed {seed}: kill seeds {seeds}; replay with PROOF_SEED={seed} python -m proof {NAME}", flush=True)
    with Stack(NAME) as stack:
        files = stack.dir / "files"
        shutil.rmtree(files, ignore_errors=True)
        files.mkdir(parents=True)
        stack.create_database(BASE_DB)
        _child(stack, BASE_DB, "setup", files)
        days = json.loads((files / "days.json").read_text())

        clean_seconds, clean = _attempt(stack, files, days, db_index=1, kill_fraction=None)
        print(f"   clean run: task {clean_seconds:.2f} s, {clean['summary']}", flush=True)
        results = []
        for number, kill_seed in enumerate(seeds, start=1):
            fraction = random.Random(kill_seed).random()
            outcome = _attempt(stack, files, days, db_index=number + 1, kill_fraction=(fraction, clean_seconds))
            results.append((kill_seed, fraction, *outcome))
    identical = sum(1 for *_rest, result in results if result["fingerprint"] == clean["fingerprint"])
    inside = sum(1 for _s, _f, _sec, result in results if result["killed_in"] not in ("", "after the task"))
    rows = [
        Row(NAME, "clean run: task time", f"{clean_seconds:.2f} s", "", None),
        Row(NAME, "clean run: result", clean["summary"], "", None),
    ]
    for kill_seed, fraction, _seconds, result in results:
        same = result["fingerprint"] == clean["fingerprint"]
        rows.append(
            Row(
                NAME,
                f"seed {kill_seed}: SIGKILL at {fraction:.0%} ({result['killed_in'] or 'between statements'})",
                "identical" if same else f"DIFFERS: {result['summary']}",
                "identical to the clean run",
                same,
            )
        )
    rows.append(
        Row(NAME, "kills that caught the worker inside a statement or transaction", f"{inside} of {KILLS}", "", None)
    )
    rows.append(
        Row(
            NAME,
            "reruns identical to the clean run",
            f"{identical} of {KILLS}",
            f"{KILLS} of {KILLS}",
            identical == KILLS,
        )
    )
    return rows


def _attempt(
    stack: Stack, files: Path, days: dict, *, db_index: int, kill_fraction: tuple[float, float] | None
) -> tuple[float, dict]:
    """One night on a fresh copy: the task, killed at `kill_fraction` of the
    clean task's time when given, then run again by a new worker."""
    stack.create_database(WORK_DB, template=BASE_DB)
    inbox = stack.dir / "inbox"
    shutil.rmtree(inbox, ignore_errors=True)
    (inbox / PARTNER).mkdir(parents=True)
    for name in days["files"]:
        shutil.copy(files / name, inbox / PARTNER / name)
    env = {"SETTLEMENT_INBOX": str(inbox), "PGAPPNAME": APP_NAME, "REDIS_URL": stack.redis_url(db_index)}
    killed_in = ""
    if kill_fraction is not None:
        fraction, clean_seconds = kill_fraction
        worker = _worker(stack, env)
        _send(stack, db_index, days["task_day"])
        begun = _wait_for(worker, "received", TASK_TIMEOUT)
        time.sleep(max(0.0, begun + fraction * clean_seconds - time.monotonic()))
        killed_in = _doing(stack)
        if "succeeded" in worker.log.read_text(errors="replace"):
            killed_in = "after the task"
        stack.kill(worker)
        _wait_until_gone(stack)
    worker = _worker(stack, env)
    _send(stack, db_index, days["task_day"])
    started = _wait_for(worker, "received", TASK_TIMEOUT)
    _wait_for(worker, "succeeded", TASK_TIMEOUT)
    seconds = _task_seconds(worker) or (time.monotonic() - started)
    stack.stop(worker)
    result = _result(stack)
    result["killed_in"] = killed_in
    return seconds, result


def _worker(stack: Stack, env: dict) -> Process:
    (stack.logs / "worker-reconciliation.log").unlink(missing_ok=True)
    # INFO: the worker says when it received and finished the task. Not
    # supervised: the scenario itself decides when a killed worker comes back.
    return stack.worker(
        WORK_DB, "reconciliation", "reconciliation", concurrency=1, loglevel="INFO", env=env, supervised=False
    )


def _send(stack: Stack, db_index: int, day: str) -> None:
    """Queue the nightly task for the day, as beat does."""
    from celery import Celery

    app = Celery("proof", broker=stack.redis_url(db_index))
    try:
        app.send_task("reconciliation.reconcile_day", args=(PARTNER, day), queue="reconciliation")
    finally:
        app.close()


def _wait_for(worker: Process, word: str, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(rf"reconciliation\.reconcile_day\[[^\]]+\] {word}", worker.log.read_text(errors="replace")):
            return time.monotonic()
        if not worker.alive():
            raise RuntimeError(f"the reconciliation worker died:\n{worker.tail()}")
        time.sleep(0.01)
    raise RuntimeError(f"the reconciliation task was not {word} within {timeout:.0f} s:\n{worker.tail()}")


def _task_seconds(worker: Process) -> float | None:
    found = re.search(r"succeeded in ([0-9.]+)s", worker.log.read_text(errors="replace"))
    return float(found.group(1)) if found else None


def _doing(stack: Stack) -> str:
    """What the worker's database session is doing now: the statement's verb
    and table, or its transaction state."""
    rows = stack.query(
        "postgres",
        "SELECT state, query FROM pg_stat_activity WHERE application_name = %s AND datname = %s",
        (APP_NAME, WORK_DB),
    )
    for state, query in rows:
        if state == "active":
            words = re.findall(r"[A-Za-z_\"]+", query)[:6]
            verb = words[0].upper() if words else "?"
            table = next((w.strip('"') for w in words if "_" in w), "")
            return f"{verb} {table}".strip()
        if state and state.startswith("idle in transaction"):
            return "idle in transaction"
    return ""


def _wait_until_gone(stack: Stack, timeout: float = 120.0) -> None:
    """A killed client's server session ends when the server notices: only
    then is the day's row lock free for the rerun."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not stack.query(
            "postgres",
            "SELECT 1 FROM pg_stat_activity WHERE application_name = %s AND datname = %s",
            (APP_NAME, WORK_DB),
        ):
            return
        time.sleep(0.05)
    raise RuntimeError("the killed worker's database session did not end")


def _result(stack: Stack) -> dict:
    """Everything a night's reconciliation decides, without ids and times."""
    runs = stack.query(
        WORK_DB,
        "SELECT r.business_date::text, r.status, f.content_hash, r.outcomes::text, r.line_count, "
        "r.transaction_count, r.total_amount, r.total_fee, r.total_net, r.exception_count, r.awaiting_count "
        "FROM reconciliation_reconciliationrun r LEFT JOIN reconciliation_settlementfile f ON f.id = r.file_id "
        "ORDER BY r.business_date",
    )
    exceptions = stack.query(
        WORK_DB,
        "SELECT r.business_date::text, e.key, e.kind, e.line_no, e.status, e.file_amount, e.recorded_amount, "
        "e.partner_txn_id, e.explanation, t.partner_transaction_id "
        "FROM reconciliation_reconciliationexception e JOIN reconciliation_reconciliationrun r ON r.id = e.run_id "
        "LEFT JOIN payments_transaction t ON t.id = e.transaction_id ORDER BY 1, 2",
    )
    totals = stack.query(
        WORK_DB,
        "SELECT r.business_date::text, t.market_id, t.vendor_id, t.count, t.amount, t.fee, t.net "
        "FROM reconciliation_runtotal t JOIN reconciliation_reconciliationrun r ON r.id = t.run_id ORDER BY 1, 2, 3",
    )
    learnt = stack.query(
        WORK_DB,
        "SELECT partner_transaction_id, kind, status, amount, vendor_id, business_date::text "
        "FROM payments_transaction WHERE source = 'settlement' ORDER BY 1",
    )
    imported = stack.query(
        WORK_DB,
        "SELECT file_name, content_hash, line_count, total_amount FROM reconciliation_settlementfile ORDER BY 1",
    )
    parts = {"runs": runs, "exceptions": exceptions, "totals": totals, "learnt": learnt, "files": imported}
    fingerprint = {name: hashlib.sha256(repr(rows).encode()).hexdigest() for name, rows in parts.items()}
    summary = (
        f"{len(runs)} runs, {len(imported)} files, {sum(r[9] for r in runs):,} exceptions, "
        f"{len(learnt):,} learnt, {sum(r[6] for r in runs):,} đồng in files"
    )
    return {"fingerprint": fingerprint, "summary": summary}


def _child(stack: Stack, database: str, step: str, files: Path) -> None:
    done = subprocess.run(  # noqa: S603 — our own interpreter and module
        [sys.executable, "-m", "proof.proof_reconciliation_kill", step, str(files)],
        cwd=Path(__file__).resolve().parent.parent,
        env=stack.env(database),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{step} failed:\n{done.stderr[-3000:]}")


# --- in the child process, against the base database ---------------------------------


def _setup(files: Path) -> None:
    """Vendors, a day of recorded VNPT transactions (written with COPY) and
    the partner's files for that day (differences planted) and the next."""
    from django.core.management import call_command
    from django.db import connection

    from bench.bench_reconciliation import DAY, _copy_transactions, _plant, _vendors
    from reconciliation.parsers import Line, parser_for

    call_command("migrate", verbosity=0)
    vendors = _vendors()
    rows = _copy_transactions(PARTNER, TRANSACTIONS, vendors, "VNPT261120", 0)
    planted, _expected = _plant(rows, vendors)
    lines = [
        Line(
            number,
            txn_id,
            kind,
            "completed",
            when,
            account,
            reference,
            amount,
            0,
            -amount if kind == "refund" else amount,
            original,
            "",
        )
        for number, (txn_id, kind, when, account, reference, amount, original) in enumerate(planted, start=1)
    ]
    module = parser_for(PARTNER)
    following = DAY + dt.timedelta(days=1)
    names = []
    for day, day_lines in ((DAY, lines), (following, [])):
        name = module.file_name(day)
        (files / name).write_bytes(module.render(day_lines, business_date=day))
        names.append(name)
    with connection.cursor() as cursor:
        # A day of transactions arrives over hours and autovacuum keeps its statistics;
        # written at once here, they would otherwise have none (and every copy with them).
        cursor.execute("ANALYZE")
    (files / "days.json").write_text(json.dumps({"files": names, "task_day": following.isoformat()}))


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market40.settings")
    django.setup()
    {"setup": _setup}[sys.argv[1]](Path(sys.argv[2]))
