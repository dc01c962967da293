"""Webhook intake over loopback: the shipped web server (market40/server.py),
PostgreSQL (synchronous commit on), Redis as the Celery broker, pre-signed
VNPT Money deliveries (the Standard Webhooks envelope).

The same client, in the same run and under the same server processes,
measures three things in alternating rounds:

- the trivial `GET /api/v1/health`;
- the reference receiver (`bench/reference.py`): the Standard Webhooks HMAC
  over the raw body, a JSON parse, one `INSERT … ON CONFLICT DO NOTHING` and
  a synchronous commit, then 200 — the floor of a durable webhook;
- the intake, on deliveries of the very same shape, each a new transaction
  (the full write path: verify, log, insert, attribute, outbox).

Goals on the 2-core machine: at least 2,500 deliveries/s closed loop, at
least 70% of the reference receiver, p99 under 50 ms at 1,500 deliveries/s
offered (open loop, latency measured from the scheduled send time so a
stalled server is not hidden), and every delivery stored exactly once.

A shared 2-core machine changes speed from one second to the next, so the
three are measured in rounds, one right after the other, and the open loop
in rounds of its own. The figures are the medians over the rounds; every
round is printed. The trivial endpoint's figure in each round is the better
of two bursts on fresh connections (a server may pile a burst's connections
on one process, which then works alone).

`BENCH_SERVERS=granian,gunicorn` measures each server in turn on the same
database (the shipped one alone by default); `SERVER_WORKERS` and
`SERVER_THREADS` try another shape. The database is a scratch one on the
PostgreSQL server DATABASE_URL names (127.0.0.1 otherwise), created and
dropped here, through `proof/live.py`.
"""

import asyncio
import os
import random
import socket
import statistics
import time

from bench import reference
from bench.common import Row
from proof.live import (
    manage,
    paying_account,
    paying_reference,
    scratch_postgres,
    seed_paying_vendors,
    server_env,
    web_server,
)

PORT = 8765
CONNECTIONS = 24
ROUNDS = 5
ROUND_DELIVERIES = 3000
HEALTH_SECONDS = 1.0
HEALTH_BURSTS = 2
OFFERED_RATE = 1500
OFFERED_ROUNDS = 3
OFFERED_SECONDS = 4
WARM_DELIVERIES = 600
GOAL_RATE = 2500.0
GOAL_P99_MS = 50.0
GOAL_RATIO = 0.70
BENCH_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
SECRETS = {
    "VNPT_WEBHOOK_SECRETS": "whsec_YmVuY2gtdm5wdC1rZXk=",
    "VIETTEL_CHECKSUM_KEYS": "bench-viettel-key",
    "MOBIFONE_WEBHOOK_SECRETS": "bench-mobifone-key",
}
ACCOUNTS = 300
TAG = "BENCH"

# --- the database ------------------------------------------------------------------


def _checkpoint(database_url: str) -> None:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")


def _sql(database_url: str, query: str, *, fetch: bool = True) -> str:
    import psycopg

    with psycopg.connect(database_url) as conn:
        cursor = conn.execute(query)
        return str(cursor.fetchone()[0]) if fetch else ""


# --- pre-signed requests ------------------------------------------------------------


def _signed_requests(count: int, tag: str, path: str = "/api/v1/webhooks/vnpt") -> list[bytes]:
    """Raw VNPT Money deliveries to `path`, signed now, each a new transaction."""
    import datetime as dt

    from core import clock
    from core.partners import Partner
    from payments.models import Kind, Status
    from payments.partners import Notice, adapter_for

    rnd = random.Random(1)
    now = clock.now()
    adapter = adapter_for(Partner.VNPT)
    out = []
    for i in range(count):
        account = rnd.randrange(ACCOUNTS)
        when = now - dt.timedelta(seconds=30)
        notice = Notice(
            partner_transaction_id=f"{tag}-{i}",
            kind=Kind.PAYMENT,
            status=Status.COMPLETED,
            partner_status="",
            amount=rnd.choice([5000, 20000, 45000, 120000]),
            completed_at=when,
            credit_account=paying_account(account),
            reference=paying_reference(TAG, account),
            description="Thanh toan",
        )
        headers, body = adapter.encode(notice, secret=SECRETS["VNPT_WEBHOOK_SECRETS"], now=now)
        lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        out.append(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    return out


HEALTH = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


# --- the client -------------------------------------------------------------------


class Connection:
    def __init__(self) -> None:
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: bytes) -> int:
        """One request; reconnects first when the server closed the last one
        (gunicorn's sync workers answer every request with Connection: close)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", PORT)
            self.writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        close = False
        for line in head.lower().split(b"\r\n"):
            if line.startswith(b"content-length:"):
                length = int(line[15:])
            elif line.startswith(b"connection:") and b"close" in line:
                close = True
        if length:
            await self.reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def _closed_loop(requests: list[bytes] | None, *, seconds: float = 0.0) -> tuple[float, list[float], list[int]]:
    """CONNECTIONS clients sending back to back; (rate, latencies, statuses)."""
    conns = [Connection() for _ in range(CONNECTIONS)]
    queue = iter(requests) if requests is not None else None
    latencies: list[float] = []
    statuses: list[int] = []
    started = time.perf_counter()
    stop_at = started + seconds

    async def worker(conn: Connection) -> None:
        while True:
            if queue is not None:
                request = next(queue, None)
                if request is None:
                    return
            else:
                if time.perf_counter() >= stop_at:
                    return
                request = HEALTH
            t0 = time.perf_counter()
            statuses.append(await conn.send(request))
            latencies.append(time.perf_counter() - t0)

    await asyncio.gather(*(worker(c) for c in conns))
    elapsed = time.perf_counter() - started
    for conn in conns:
        conn.close()
    return len(statuses) / elapsed, latencies, statuses


async def _open_loop(requests: list[bytes], rate: float) -> tuple[list[float], list[int]]:
    """Send at a fixed rate; latency counts from the scheduled moment."""
    pool: asyncio.Queue = asyncio.Queue()
    for _ in range(CONNECTIONS * 2):
        pool.put_nowait(Connection())
    latencies: list[float] = []
    statuses: list[int] = []
    start = time.perf_counter() + 0.05

    async def one(index: int, request: bytes) -> None:
        scheduled = start + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        conn = await pool.get()
        try:
            statuses.append(await conn.send(request))
        finally:
            pool.put_nowait(conn)
        latencies.append(time.perf_counter() - scheduled)

    await asyncio.gather(*(one(i, r) for i, r in enumerate(requests)))
    while not pool.empty():
        pool.get_nowait().close()
    return latencies, statuses


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# --- the run ----------------------------------------------------------------------


def run() -> list[Row]:
    from market40.server import command

    shipped = command()[1]
    servers = [name.strip() for name in os.environ.get("BENCH_SERVERS", shipped).split(",") if name.strip()]
    rows: list[Row] = []
    with scratch_postgres("bench_webhooks") as database_url:
        env = server_env(database_url, REDIS_URL=BENCH_REDIS, **SECRETS)
        manage(env, "migrate", "--noinput")
        # All in one market: every delivery's foreign-key check locks the same row.
        seed_paying_vendors(env, ACCOUNTS, tag=TAG, markets=1)
        _sql(database_url, reference.CREATE, fetch=False)
        # One process per core, as market40/server.py's default.
        processes = int(os.environ.get("SERVER_WORKERS") or os.cpu_count() or 1)
        try:
            for server in servers:
                # Start from a clean slate: the dirty pages of what ran before
                # (a million-row reconciliation, a dropped database, the other
                # server's round) are written now, not in the middle of the measurement.
                _checkpoint(database_url)
                print(f"  server {server}", flush=True)
                with web_server(env, workers=processes, port=PORT, app=reference.APP, server=server):
                    shape = f"{server} {processes}×{os.environ.get('SERVER_THREADS', '4')} threads"
                    rows += _measure(database_url, shape, server)
        finally:
            _purge_queue()
    return rows


def _measure(database_url: str, shape: str, server: str) -> list[Row]:
    sync = _sql(database_url, "show synchronous_commit")
    stored_before = int(_sql(database_url, "select count(*) from payments_transaction"))
    reference_before = int(_sql(database_url, f"select count(*) from {reference.TABLE}"))  # noqa: S608
    begun = time.monotonic()
    asyncio.run(_closed_loop(_signed_requests(WARM_DELIVERIES, f"{server}-warm")))
    asyncio.run(_closed_loop(_signed_requests(WARM_DELIVERIES, f"{server}-warm", reference.PATH)))
    asyncio.run(_closed_loop(None, seconds=1.0))
    print(f"  warm-up done, {time.monotonic() - begun:.0f} s", flush=True)

    rounds = []  # (trivial req/s, reference/s, deliveries/s)
    closed_lat: list[float] = []
    statuses: list[int] = []
    for number in range(ROUNDS):
        health_rate, health_statuses = 0.0, []
        for _burst in range(HEALTH_BURSTS):
            burst_rate, _lat, burst_statuses = asyncio.run(_closed_loop(None, seconds=HEALTH_SECONDS))
            health_rate = max(health_rate, burst_rate)
            health_statuses += burst_statuses
        floor = _signed_requests(ROUND_DELIVERIES, f"{server}-ref{number}", reference.PATH)
        reference_rate, _lat, reference_statuses = asyncio.run(_closed_loop(floor))
        requests = _signed_requests(ROUND_DELIVERIES, f"{server}-closed{number}")
        rate, latencies, round_statuses = asyncio.run(_closed_loop(requests))
        rounds.append((health_rate, reference_rate, rate))
        closed_lat += latencies
        statuses += health_statuses + reference_statuses + round_statuses
        print(
            f"  round {number + 1}: trivial {health_rate:,.0f} req/s, reference {reference_rate:,.0f}/s, "
            f"intake {rate:,.0f}/s, intake/reference {rate / reference_rate:.0%}, "
            f"intake/trivial {rate / health_rate:.0%}",
            flush=True,
        )
    open_p99s = []
    open_lat: list[float] = []
    for number in range(OFFERED_ROUNDS):
        offered = _signed_requests(OFFERED_RATE * OFFERED_SECONDS, f"{server}-open{number}")
        latencies, round_statuses = asyncio.run(_open_loop(offered, OFFERED_RATE))
        open_p99s.append(_percentile(latencies, 0.99))
        open_lat += latencies
        statuses += round_statuses
        print(f"  open loop round {number + 1}: p99 {open_p99s[-1]:.1f} ms", flush=True)
    sent = WARM_DELIVERIES + ROUNDS * ROUND_DELIVERIES + OFFERED_ROUNDS * OFFERED_RATE * OFFERED_SECONDS
    sent_reference = WARM_DELIVERIES + ROUNDS * ROUND_DELIVERIES

    stored = int(_sql(database_url, "select count(*) from payments_transaction")) - stored_before
    stored_reference = int(_sql(database_url, f"select count(*) from {reference.TABLE}")) - reference_before  # noqa: S608
    pending = _sql(database_url, "select count(*) from payments_outboxevent where processed_at is null")

    bad = sum(1 for status in statuses if status != 200)
    health_rate = statistics.median(h for h, _r, _d in rounds)
    reference_rate = statistics.median(r for _h, r, _d in rounds)
    rate = statistics.median(d for _h, _r, d in rounds)
    ratio = statistics.median(d / r for _h, r, d in rounds)
    trivial_ratio = statistics.median(d / h for h, _r, d in rounds)
    p99_open = statistics.median(open_p99s)
    name = f"webhooks ({server})"

    def spread(values, fmt: str) -> str:
        return "rounds " + ", ".join(format(v, fmt) for v in values)

    return [
        Row(name, "synchronous_commit / server", f"{sync} / {shape}", "on", sync == "on"),
        Row(name, "trivial GET /api/v1/health, better of 2 bursts, median", f"{health_rate:,.0f} /s", "", None),
        Row(name, "", spread([h for h, _r, _d in rounds], ",.0f"), "", None),
        Row(name, "reference receiver (bench/reference.py), median", f"{reference_rate:,.0f} /s", "", None),
        Row(name, "", spread([r for _h, r, _d in rounds], ",.0f"), "", None),
        Row(name, "intake, closed loop, median", f"{rate:,.0f} /s", f"≥ {GOAL_RATE:,.0f} /s", rate >= GOAL_RATE),
        Row(name, "", spread([d for _h, _r, d in rounds], ",.0f"), "", None),
        Row(
            name,
            "intake closed loop p50 / p99, all rounds",
            f"{_percentile(closed_lat, 0.5):.1f} / {_percentile(closed_lat, 0.99):.1f} ms",
            "",
            None,
        ),
        Row(name, "intake / reference, median", f"{ratio:.0%}", f"≥ {GOAL_RATIO:.0%}", ratio >= GOAL_RATIO),
        Row(name, "", spread([d / r for _h, r, d in rounds], ".0%"), "", None),
        Row(name, "intake / trivial, median", f"{trivial_ratio:.0%}", "", None),
        Row(name, "", spread([d / h for h, _r, d in rounds], ".0%"), "", None),
        Row(
            name,
            f"intake open loop {OFFERED_RATE:,}/s p99, median",
            f"{p99_open:.1f} ms (p50 {_percentile(open_lat, 0.5):.1f})",
            f"p99 < {GOAL_P99_MS:.0f} ms",
            p99_open < GOAL_P99_MS,
        ),
        Row(name, "", spread(open_p99s, ".1f") + " ms", "", None),
        Row(
            name,
            "intake: transactions stored / deliveries sent (non-200 answers, all requests)",
            f"{stored} / {sent} ({bad})",
            "equal, 0",
            stored == sent and bad == 0,
        ),
        Row(
            name,
            "reference: rows stored / deliveries sent",
            f"{stored_reference} / {sent_reference}",
            "equal",
            stored_reference == sent_reference,
        ),
        Row(name, "outbox events waiting for a worker", pending, "", None),
    ]


def _purge_queue() -> None:
    """Drop the tasks the run queued; no worker consumes the bench's Redis db."""
    try:
        import redis

        redis.Redis.from_url(BENCH_REDIS).delete("ingest")
    except Exception:  # noqa: BLE001, S110 — a leftover queue in a scratch db is harmless
        pass
