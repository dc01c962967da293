"""Redis stopped for a minute during intake: no delivery is rejected, and
all follow-up work is done once it is back.

Redis is the Celery broker (and the cache). The partners keep sending at a
steady rate through the web server while the private Redis is stopped for
OUTAGE_SECONDS and started again on the same port. Intake must answer
every good delivery at its first attempt (a retry would mean the partner
saw a failure), and the follow-up events written meanwhile must all be
processed after Redis returns: by the sweep, since their tasks could not
be sent. The seed chooses when the outage starts.
"""

import json
import random
import time

from bench.common import Row
from proof.stack import TIMERS, Stack, delivery_rows

NAME = "redis_outage"
DB = "market40_proof_faults_redis_outage"
OUTAGE_SECONDS = 60.0
RATE = 25
AFTER_SECONDS = 10.0
VENDORS = 300
DRAIN_TIMEOUT = 300.0


def run(seed: int) -> list[Row]:
    rnd = random.Random(seed)
    stop_at = round(rnd.uniform(5, 15), 1)
    count = int(RATE * (stop_at + OUTAGE_SECONDS + AFTER_SECONDS))
    print(
        f"   seed {seed}: {count:,} deliveries at {RATE}/s, Redis stopped at {stop_at} s for {OUTAGE_SECONDS:.0f} s; "
        f"replay with PROOF_SEED={seed} python -m proof {NAME}",
        flush=True,
    )
    with Stack(NAME, extra_env=TIMERS) as stack:
        port, _worker = stack.start_intake(DB, VENDORS)
        ledger = stack.dir / "ledger.jsonl"
        started = time.monotonic()
        simulator = stack.simulator(
            DB, url=f"http://127.0.0.1:{port}", count=count, rate=RATE, seed=seed, ledger=ledger
        )
        time.sleep(max(0.0, started + stop_at - time.monotonic()))
        stack.stop_redis()
        stopped = time.monotonic()
        print(f"   {stopped - started:5.1f} s  Redis stopped", flush=True)
        during = stack.pending_followups(DB)
        time.sleep(max(0.0, stopped + OUTAGE_SECONDS - time.monotonic()))
        piled_up = stack.pending_followups(DB)
        stack.start_redis()
        back = time.monotonic()
        print(f"   {back - started:5.1f} s  Redis back after {back - stopped:.0f} s", flush=True)
        simulator.popen.wait(timeout=1800)
        pending, _waited = stack.wait_for_followups(DB, DRAIN_TIMEOUT)
        drained = time.monotonic() - back
        rows = delivery_rows(stack, DB, NAME, ledger, count=count)
        exits = stack.exits_row(NAME)
    first_time = _first_attempt_failures(ledger)
    return [
        Row(
            NAME,
            "Redis stopped for",
            f"{back - stopped:.0f} s",
            f"≥ {OUTAGE_SECONDS:.0f} s",
            back - stopped >= OUTAGE_SECONDS,
        ),
        *rows[:3],
        Row(NAME, "good deliveries not done at the first attempt", str(first_time), "0", first_time == 0),
        *rows[3:],
        Row(
            NAME,
            "follow-up events waiting when Redis came back",
            f"{piled_up:,} (at the stop: {during:,})",
            "",
            None,
        ),
        Row(NAME, "follow-up events pending at the end", str(pending), "0", pending == 0),
        Row(NAME, "all follow-up done, after Redis came back", f"{drained:.0f} s", "", None),
        exits,
    ]


def _first_attempt_failures(ledger) -> int:
    return sum(
        1
        for text in ledger.read_text(encoding="utf-8").splitlines()
        if text.strip() and (line := json.loads(text))["good"] and line["attempts"] > 1
    )
