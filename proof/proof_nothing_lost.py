"""Nothing lost: 10,000 signed deliveries at 200/s to the web server while
PostgreSQL is restarted twice (once with an immediate shutdown, a crash
recovered from WAL) and the Celery worker is killed with SIGKILL.

The partner simulator (`manage.py simulate_partners`) is a separate process
and retries as partners.md says; its retry schedule (5 s, 5 min, 30 min, …)
runs RETRY_SPEEDUP times faster, and the outbox's own timers (claim expiry,
retry delay, sweep interval) are shortened the same way, so the hours a
real recovery may take fit in minutes (proof/stack.py). The simulator
writes a ledger outside the database: what was sent and whether the partner
counted it as done. Afterwards every acknowledged delivery must be a
transaction with the content sent, no transaction may exist that was not
sent, none twice, and all follow-up work (outbox events: refund links,
adoption rollups) done.

The seed chooses when each fault strikes.
"""

import random
import time

from bench.common import Row
from proof.stack import TIMERS, Stack, delivery_rows

NAME = "nothing_lost"
DB = "market40_proof_faults_nothing_lost"
DELIVERIES = 10_000
RATE = 200
VENDORS = 600
DRAIN_TIMEOUT = 600.0


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
        port, worker = stack.start_intake(DB, VENDORS)
        ledger = stack.dir / "ledger.jsonl"
        started = time.monotonic()
        simulator = stack.simulator(
            DB, url=f"http://127.0.0.1:{port}", count=DELIVERIES, rate=RATE, seed=seed, ledger=ledger
        )
        downtime: dict[str, float] = {}

        def restart(mode: str) -> None:
            downtime[mode] = stack.restart_postgres(mode)

        def kill_worker() -> None:
            stack.kill(worker)
            time.sleep(faults["worker_down_for"])
            stack.worker(DB, "ingest,default", "ingest")

        timeline = sorted(
            [
                (faults["postgres_fast_at"], "PostgreSQL fast restart", lambda: restart("fast")),
                (faults["postgres_immediate_at"], "PostgreSQL immediate shutdown", lambda: restart("immediate")),
                (faults["worker_kill_at"], "worker SIGKILL", kill_worker),
            ],
            key=lambda step: step[0],
        )
        for at, label, strike in timeline:
            time.sleep(max(0.0, started + at - time.monotonic()))
            if not simulator.alive():
                raise RuntimeError(f"the simulator ended before the {label}:\n{simulator.tail()}")
            strike()
            print(f"   {time.monotonic() - started:5.1f} s  {label} done", flush=True)
        simulator.popen.wait(timeout=1800)
        sending = time.monotonic() - started
        pending, drained = stack.wait_for_followups(DB, DRAIN_TIMEOUT)
        rows = delivery_rows(stack, DB, NAME, ledger, count=DELIVERIES)
        exits = stack.exits_row(NAME)
    return [
        *rows[:1],
        Row(NAME, "offered rate over the whole run", f"{DELIVERIES / sending:.0f} /s", f"{RATE} /s planned", None),
        Row(
            NAME,
            "PostgreSQL unavailable: fast restart / immediate shutdown",
            f"{downtime.get('fast', 0):.1f} s / {downtime.get('immediate', 0):.1f} s",
            "both done",
            len(downtime) == 2,
        ),
        *rows[1:],
        Row(NAME, "follow-up events pending after the drain", str(pending), "0", pending == 0),
        Row(NAME, "time to drain after the last acknowledgement", f"{drained:.0f} s", "", None),
        exits,
    ]
