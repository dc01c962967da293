"""Stall screens: SCREENS live streams held open against one stream process
(uvicorn on market40.asgi), while signed VNPT Money payments arrive at RATE
a second through the shipped web server to vendors spread over them.

Measured at the load client that holds the streams:
- from the partner's acknowledgement (the webhook's 200) to the screen's
  receipt of the payment event, p50 / p95 / p99;
- the stream process's memory per open screen (resident set, after minus
  before the screens opened);
- missed events (an acknowledged payment its vendor's screen never got) and
  duplicated ones (an event a screen got twice);
- the webhook's own acknowledgement time at RATE, first with no screen open,
  then with all of them open: the screens must not slow intake down.

Goals: p95 under 1 s, SCREENS screens in under 1 GiB, 0 missed, 0 duplicated.
The database is
a scratch one (proof/live.py), created and dropped here.
"""

import asyncio
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import uvloop

from bench.common import Row
from proof.live import (
    ROOT,
    free_port,
    manage,
    paying_account,
    paying_reference,
    scratch_postgres,
    seed_paying_vendors,
    server_env,
    wait_for_port,
    web_server,
)

SCREENS = int(os.environ.get("BENCH_STALL_SCREENS", "5000"))
RATE = 100
SECONDS = int(os.environ.get("BENCH_STALL_SECONDS", "30"))
BASELINE_SECONDS = 10
OPENING_AT_ONCE = 100
GRACE_SECONDS = 10
GOAL_P95_S = 1.0
GOAL_MEMORY = 1024**3
TAG = "STALL"
SECRET = "whsec_YmVuY2gtdm5wdC1rZXk="


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _tokens(count: int) -> list[str]:
    """The vendors' current links (version 1, as seeded), signed here."""
    from django.core import signing

    from printables.links import SALT

    return [signing.dumps({"v": f"{TAG}{i:05d}", "n": 1}, salt=SALT, compress=False) for i in range(count)]


def _delivery(number: int, vendor: int) -> tuple[str, bytes]:
    """A signed VNPT delivery to the vendor's account; (its 6-character tail, raw request)."""
    from core import clock
    from core.partners import Partner
    from payments.models import Kind, Status
    from payments.partners import Notice, adapter_for

    txn_id = f"VNPTSTALL{number:07d}"
    now = clock.now()
    notice = Notice(
        partner_transaction_id=txn_id,
        kind=Kind.PAYMENT,
        status=Status.COMPLETED,
        amount=random.choice([5000, 20000, 45000, 120000]),  # noqa: S311
        completed_at=now,
        credit_account=paying_account(vendor),
        reference=paying_reference(TAG, vendor),
        description="Thanh toan",
    )
    headers, body = adapter_for(Partner.VNPT).encode(notice, secret=SECRET, now=now)
    lines = ["POST /api/v1/webhooks/vnpt HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return txn_id[-6:], ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _events(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    """The Server-Sent Events of a chunked HTTP/1.1 body, one at a time."""
    pending = b""
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        if size == 0:
            return
        pending += await reader.readexactly(size)
        await reader.readexactly(2)
        while b"\n\n" in pending:
            message, pending = pending.split(b"\n\n", 1)
            yield message


class Screens:
    """The load client: one HTTP/1.0 stream per vendor, and what each received."""

    def __init__(self, port: int, tokens: list[str]) -> None:
        self.port = port
        self.tokens = tokens
        self.received: dict[str, list[tuple[int, float]]] = {}  # tail → [(screen, time)]
        self.events: list[set[int]] = [set() for _ in tokens]
        self.duplicates = 0
        self.opened = 0
        self.failed = 0
        self.tasks: list[asyncio.Task] = []
        self.writers: list[asyncio.StreamWriter] = []

    async def open_all(self) -> None:
        gate = asyncio.Semaphore(OPENING_AT_ONCE)
        ready = [asyncio.Event() for _ in self.tokens]
        self.tasks = [asyncio.create_task(self._screen(i, gate, ready[i])) for i in range(len(self.tokens))]
        await asyncio.gather(*(event.wait() for event in ready))

    async def _screen(self, index: int, gate: asyncio.Semaphore, ready: asyncio.Event) -> None:
        async with gate:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                self.writers.append(writer)
                writer.write(f"GET /stream/v/{self.tokens[index]}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
                await reader.readuntil(b"\r\n\r\n")
                messages = _events(reader)
                while not (await anext(messages)).startswith(b"event: hello"):
                    pass
            except (OSError, asyncio.IncompleteReadError, StopAsyncIteration):
                self.failed += 1
                ready.set()
                return
        self.opened += 1
        ready.set()
        async for message in messages:
            if message.startswith(b"event: payment"):
                self._payment(index, message)

    def _payment(self, index: int, message: bytes) -> None:
        now = time.perf_counter()
        data = json.loads(message.split(b"\ndata: ", 1)[1])
        if data["event"] in self.events[index]:
            self.duplicates += 1
            return
        self.events[index].add(data["event"])
        self.received.setdefault(data["ref"], []).append((index, now))

    def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for writer in self.writers:
            writer.close()


async def _pay(port: int, seconds: int, first: int, screens: int) -> list[tuple[str, int, float, float]]:
    """Deliveries at RATE a second, open loop over a few connections;
    [(tail, vendor, sent, acknowledged)]."""
    plan = []
    for n in range(seconds * RATE):
        vendor = random.randrange(screens)  # noqa: S311
        plan.append((vendor, *_delivery(first + n, vendor)))
    pool: asyncio.Queue = asyncio.Queue()
    for _ in range(8):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    acked: list[tuple[str, int, float, float]] = []
    start = time.perf_counter() + 0.1

    async def one(index: int, vendor: int, tail: str, request: bytes) -> None:
        await asyncio.sleep(max(0.0, start + index / RATE - time.perf_counter()))
        reader, writer = await pool.get()
        sent = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(line[15:]) for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:"))
        await reader.readexactly(length)
        pool.put_nowait((reader, writer))
        if head[9:12] == b"200":
            acked.append((tail, vendor, sent, time.perf_counter()))

    await asyncio.gather(*(one(i, vendor, tail, request) for i, (vendor, tail, request) in enumerate(plan)))
    while not pool.empty():
        pool.get_nowait()[1].close()
    return acked


async def _open_screens(port: int) -> int:
    """What the stream process counts as open (its health answer)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /stream/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
    answer = await reader.read()
    writer.close()
    return int(answer.split(b"\r\n\r\n", 1)[1].split()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _more_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, SCREENS * 2 + 1000)), hard))


def run() -> list[Row]:
    _more_files()
    with scratch_postgres("bench_stall") as database_url:
        # Follow-up work queues in a Redis database no worker reads, as in the
        # webhook benchmark: intake's own path is what is measured.
        redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
        env = server_env(database_url, VNPT_WEBHOOK_SECRETS=SECRET, REDIS_URL=redis_url)
        manage(env, "migrate", "--noinput")
        seed_paying_vendors(env, SCREENS, tag=TAG, markets=1)
        stream_port = free_port()
        stream = subprocess.Popen(  # noqa: S603 — our own interpreter
            [
                sys.executable,
                "-m",
                "uvicorn",
                "market40.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(stream_port),
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--log-level",
                "warning",
                "--backlog",
                "4096",
                "--timeout-graceful-shutdown",
                "2",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            preexec_fn=_more_files,  # noqa: PLW1509 — raises the child's file limit only
        )
        try:
            wait_for_port(stream_port)
            with web_server(env, workers=2) as web_port:
                # The load client reads its thousands of sockets on uvloop, as the stream process does.
                return uvloop.run(_measure(stream.pid, stream_port, web_port))
        finally:
            os.killpg(stream.pid, signal.SIGTERM)
            try:
                stream.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(stream.pid, signal.SIGKILL)
                stream.wait()


async def _measure(stream_pid: int, stream_port: int, web_port: int) -> list[Row]:
    name = "stall screens"
    # Warm both processes, then the webhook's own figure with no screen open.
    await _pay(web_port, 2, 0, SCREENS)
    baseline = await _pay(web_port, BASELINE_SECONDS, 10_000, SCREENS)
    before = _rss(stream_pid)
    screens = Screens(stream_port, _tokens(SCREENS))
    began = time.perf_counter()
    await screens.open_all()
    opening = time.perf_counter() - began
    after = _rss(stream_pid)
    print(f"  {screens.opened} screens open in {opening:.0f} s, stream process {after / 2**20:.0f} MiB", flush=True)
    acked = await _pay(web_port, SECONDS, 100_000, SCREENS)
    await asyncio.sleep(GRACE_SECONDS)
    screens.close()
    await asyncio.sleep(2)
    left_open = await _open_screens(stream_port)

    delays, missed = [], 0
    windows: dict[int, list[float]] = {}
    for tail, vendor, sent, ack in acked:
        got = [t for screen, t in screens.received.get(tail, []) if screen == vendor]
        if not got:
            missed += 1
            continue
        delays.append(max(0.0, got[0] - ack))
        windows.setdefault(int((sent - acked[0][2]) // 5), []).append(delays[-1])
    by_window = ", ".join(f"{_percentile(w, 0.95) * 1000:.0f} ms" for _k, w in sorted(windows.items()))
    print(f"  p95 by 5 s of the run: {by_window}")
    wrong_screen = sum(
        1 for tail, vendor, *_ in acked for screen, _t in screens.received.get(tail, []) if screen != vendor
    )
    p50, p95, p99 = (_percentile(delays, q) for q in (0.5, 0.95, 0.99))
    per_screen = (after - before) / max(1, screens.opened)
    ack_alone = [a - s for _t, _v, s, a in baseline]
    ack_loaded = [a - s for _t, _v, s, a in acked]
    return [
        Row(
            name,
            "screens open / asked (failed)",
            f"{screens.opened} / {SCREENS} ({screens.failed})",
            "all",
            screens.failed == 0,
        ),
        Row(name, "time to open them all", f"{opening:.1f} s", "", None),
        Row(
            name,
            f"ack → screen p50 / p95 / p99 ({len(acked)} payments at {RATE}/s)",
            f"{p50 * 1000:.0f} / {p95 * 1000:.0f} / {p99 * 1000:.0f} ms",
            f"p95 < {GOAL_P95_S:.0f} s",
            p95 < GOAL_P95_S,
        ),
        Row(
            name,
            "stream process memory, all screens open (per screen)",
            f"{after / 2**20:.0f} MiB ({per_screen / 1024:.1f} KiB)",
            "< 1 GiB",
            after < GOAL_MEMORY,
        ),
        Row(
            name,
            "missed / duplicated / on a wrong screen",
            f"{missed} / {screens.duplicates} / {wrong_screen}",
            "0 / 0 / 0",
            missed == 0 and screens.duplicates == 0 and wrong_screen == 0,
        ),
        Row(name, "screens the stream still holds after the clients left", str(left_open), "0", left_open == 0),
        Row(
            name,
            f"webhook ack p50 / p99 at {RATE}/s: no screen open, then all open",
            f"{_percentile(ack_alone, 0.5) * 1000:.1f} / {_percentile(ack_alone, 0.99) * 1000:.1f} ms, "
            f"then {_percentile(ack_loaded, 0.5) * 1000:.1f} / {_percentile(ack_loaded, 0.99) * 1000:.1f} ms",
            "",
            None,
        ),
    ]
