"""The stall screens' live stream, a small ASGI application.

`market40.asgi` hands it /stream/ and everything else to Django. It runs in
its own process (uvicorn, docs/operations.md), so thousands of open screens
hold no thread of the web app or of the webhooks. Each screen costs a
coroutine and a queue; one Feed per process reads the database for all of
them (printables.stall_feed).

GET /stream/v/<token>/ answers text/event-stream:
- `hello`: today's figures and, for a new screen, its latest payments;
  on a reconnect (Last-Event-ID, or ?last= from a screen that reopened the
  stream itself) the events it missed, each once, in order;
- `payment`: one transaction as it stands after a change;
- `beat`: every BEAT_SECONDS, so a screen knows the line is alive;
- `revoked`: the link was revoked or the vendor closed; the stream ends.
"""

import asyncio
import logging
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connections

from core import clock, metrics
from printables import links
from printables.stall_feed import Batch, Change, Feed, Position, Subscriber, Today, encode

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]

BEAT_SECONDS = 10.0
# Every this many seconds, and whenever a link is reissued, a process asks,
# for all its screens at once, whether their links still stand: a revoked
# link's open screen ends within it even if the notification is lost.
LINK_CHECK_SECONDS = 20.0
RETRY_MILLISECONDS = 1500

logger = logging.getLogger(__name__)


class _Process:
    """The process's feed, bound to the event loop the server runs (a test
    may run several loops one after another)."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.feed = Feed()
        self.starting = asyncio.Lock()

    async def feed_here(self) -> Feed:
        loop = asyncio.get_running_loop()
        if self.loop is not loop:
            self.loop, self.feed, self.starting = loop, Feed(), asyncio.Lock()
        if not self.feed.started.is_set():
            async with self.starting:
                if not self.feed.started.is_set():
                    await self.feed.start()
                    asyncio.create_task(_watch_links(self.feed))
        return self.feed


PROCESS = _Process()


async def _ensure_feed() -> Feed:
    """The feed, started by the first request that needs it."""
    return await PROCESS.feed_here()


async def _watch_links(feed: Feed) -> None:
    while True:
        try:
            await asyncio.wait_for(feed.links_changed.wait(), LINK_CHECK_SECONDS)
        except TimeoutError:
            pass
        feed.links_changed.clear()
        vendor_ids = list(feed.subscribers)
        if not vendor_ids:
            continue
        try:
            standing = await feed.standing(vendor_ids)
        except Exception:  # noqa: BLE001 — checked again next round
            logger.warning("stall stream: could not check the open screens' links", exc_info=True)
            continue
        for vendor_id in vendor_ids:
            for subscriber in list(feed.subscribers.get(vendor_id, ())):
                if standing.get(vendor_id) != subscriber.link_version:
                    subscriber.revoked.set()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _plain(send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})


CORS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-headers", b"last-event-id"),
    (b"access-control-allow-methods", b"GET"),
]


async def application(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    path = scope.get("path", "")
    if path == "/stream/health":
        feed = await _ensure_feed()
        await _plain(send, 200, f"ok {feed.screens} screens\n")
        return
    parts = path.split("/")
    # /stream/v/<token>/
    if len(parts) != 5 or parts[1:3] != ["stream", "v"] or parts[4] != "":
        await _plain(send, 404, "Không tìm thấy\n")
        return
    if scope.get("method") == "OPTIONS":
        await _plain(send, 204, "", CORS)
        return
    if scope.get("method") not in ("GET", "HEAD"):
        await _plain(send, 405, "Chỉ nhận GET\n", [(b"allow", b"GET")])
        return
    await _stream(scope, receive, send, parts[3])


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if PROCESS.loop is asyncio.get_running_loop():
                await PROCESS.feed.stop()
            # The ORM's connection of the thread that checked the links.
            await sync_to_async(connections.close_all)()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _stream(scope: Scope, receive: Receive, send: Send, token: str) -> None:
    feed = await _ensure_feed()
    query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
    position = Position.parse(_header(scope, b"last-event-id") or (query.get("last") or [""])[0])
    link = await sync_to_async(links.link_from_token)(token)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/event-stream; charset=utf-8"),
                (b"cache-control", b"no-store"),
                (b"x-accel-buffering", b"no"),
                *CORS,
            ],
        }
    )
    if link is None:
        # 200 with an event, not an error status: the screen shows why.
        await send({"type": "http.response.body", "body": encode("revoked", {}) + b"retry: 600000\n\n"})
        return
    subscriber = feed.subscribe(link.vendor_id, link_version=link.version)
    try:
        with metrics.screen_open():
            await _serve(feed, subscriber, position, receive, send)
    finally:
        feed.unsubscribe(subscriber)


async def _serve(feed: Feed, subscriber: Subscriber, position: Position | None, receive: Receive, send: Send) -> None:
    gone = asyncio.create_task(_disconnected(receive))
    try:
        # What the feed queues for this screen is above the mark it had when
        # the screen subscribed; the catch-up reads the rest.
        here = Position(subscriber.mark)
        changes: list[Change] | None = None
        if position is not None:
            changes = await feed.catch_up(subscriber.vendor_id, position)
            if changes is not None:
                here = Position(max(subscriber.mark, position.mark), position.above)
        fresh = changes is None
        if changes is None:
            changes = await feed.snapshot(subscriber.vendor_id)
        for change in changes:
            if not fresh:
                here.above.add(change.event_id)
        totals = (await feed.today([subscriber.vendor_id])).get(subscriber.vendor_id, Today())
        hello = {
            "fresh": fresh,
            "today": totals.as_message(),
            "payments": [change.as_message() for change in changes],
            "server_time": clock.now().isoformat(),
        }
        await send(
            {
                "type": "http.response.body",
                "body": f"retry: {RETRY_MILLISECONDS}\n\n".encode() + encode("hello", hello, here),
                "more_body": True,
            }
        )
        await _follow(feed, subscriber, here, gone, send)
    finally:
        gone.cancel()


async def _follow(feed: Feed, subscriber: Subscriber, here: Position, gone: asyncio.Task, send: Send) -> None:
    revoked = asyncio.create_task(subscriber.revoked.wait())
    last_beat = time.monotonic()
    try:
        while True:
            getter = asyncio.create_task(subscriber.queue.get())
            done, _pending = await asyncio.wait(
                {getter, gone, revoked},
                timeout=max(0.0, BEAT_SECONDS - (time.monotonic() - last_beat)),
                return_when=asyncio.FIRST_COMPLETED,
            )
            if gone in done:
                getter.cancel()
                return
            if revoked in done:
                getter.cancel()
                await send({"type": "http.response.body", "body": encode("revoked", {}), "more_body": False})
                return
            if getter in done:
                chunk = _batch(getter.result(), here, subscriber, feed)
            else:
                getter.cancel()
                if subscriber.queue.empty():
                    here.advance(feed.mark)
                chunk = encode("beat", {"server_time": clock.now().isoformat()}, here)
                last_beat = time.monotonic()
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    finally:
        revoked.cancel()


def _batch(batch: Batch, here: Position, subscriber: Subscriber, feed: Feed) -> bytes:
    chunks = []
    for change in batch.changes:
        if change.event_id <= here.mark or change.event_id in here.above:
            continue  # already sent by the catch-up
        here.above.add(change.event_id)
        data = change.as_message()
        data["today"] = batch.today.as_message() if batch.today else None
        data["event"] = change.event_id
        chunks.append(encode("payment", data, here))
    if subscriber.queue.empty():
        # Every batch below the feed's mark is in the queue; an empty queue
        # means all of them were written.
        here.advance(feed.mark)
    return b"".join(chunks)


async def _disconnected(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
