"""The ASGI entry point serves the same application as the WSGI one."""

import asyncio

import pytest


@pytest.mark.django_db
def test_the_asgi_application_answers_the_health_check():
    from market40.asgi import application

    sent: list[dict] = []
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the client stays connected until the answer
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/health",
        "raw_path": b"/api/v1/health",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(application(scope, receive, send))

    start = next(message for message in sent if message["type"] == "http.response.start")
    assert start["status"] == 200


@pytest.mark.django_db(transaction=True)
def test_the_stream_process_serves_its_open_screens_to_prometheus():
    """The stream process (uvicorn on market40.asgi) answers /metrics like the
    web, with the number of vendor screens it holds open."""
    from asgiref.sync import sync_to_async
    from django.db import connections

    from core import metrics
    from market40.asgi import application

    def scrape() -> str:
        sent: list[dict] = []
        messages = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive() -> dict:
            if messages:
                return messages.pop()
            await asyncio.Event().wait()  # connected until the answer
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/metrics",
            "raw_path": b"/metrics",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"stream:8001")],
            "client": ("127.0.0.1", 50000),
            "server": ("stream", 8001),
        }
        asyncio.run(application(scope, receive, send))
        assert next(m for m in sent if m["type"] == "http.response.start")["status"] == 200
        return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode()

    before = scrape()
    with metrics.screen_open(), metrics.screen_open():
        during = scrape()

    def screens(text: str) -> float:
        return float(
            next(line for line in text.splitlines() if line.startswith("cho40_vendor_screens_open ")).split()[1]
        )

    assert screens(during) == screens(before) + 2
    assert screens(scrape()) == screens(before)
    # The scrape read the database from the ASGI handler's own thread; close
    # that connection, or the test database could not be dropped.
    asyncio.run(sync_to_async(connections.close_all, thread_sensitive=True)())
