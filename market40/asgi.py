"""The ASGI entry point, for an ASGI server (`uvicorn market40.asgi:application`).

The stall screens' live stream (/stream/) is a small ASGI application of its
own (printables.stream) beside Django's: the stream process runs this module
under uvicorn (docs/operations.md), and answers the rest of the site too, so
one origin can serve both. The deployed web server is granian on
`market40.wsgi` (market40/server.py), whose short road for partner
deliveries is WSGI only; under ASGI a delivery takes the full application,
which answers it the same way through the API router."""

import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market40.settings")
django_application = get_asgi_application()

from printables import stream  # noqa: E402 — needs the settings and apps loaded above

Scope = dict[str, Any]


async def application(
    scope: Scope, receive: Callable[[], Awaitable[dict]], send: Callable[[Mapping[str, Any]], Awaitable[None]]
) -> None:
    if scope["type"] == "lifespan" or scope.get("path", "").startswith("/stream/"):
        await stream.application(scope, receive, send)
    else:
        await django_application(scope, receive, send)
