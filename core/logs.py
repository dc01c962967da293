"""Structured logs: one JSON object a line, with the ids that tie lines together.

Every line written while a request is served carries its `request_id` (the
caller's `X-Request-ID` when it sends a sane one, else a new one, and the
answer's `X-Request-ID` either way). A webhook delivery's line adds its
`delivery_id` and `transaction_id`; the follow-up work of that transaction
logs with the same `transaction_id` and its `outbox_event_id`, so one
delivery is followed from intake to follow-up with two searches.

Only ids, partners, verdicts and statuses go into these fields: never a
phone number, a CCCD or a payer's name (the proof checks the log).
"""

import datetime as dt
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy or a partner may hand us as an id: short, plain characters,
# nothing that could forge a second log field or line.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

_fields: ContextVar[dict[str, Any]] = ContextVar("log_fields", default={})  # noqa: B039 — never mutated, replaced


@contextmanager
def bound(**fields: Any) -> Iterator[None]:
    """Add fields to every line logged inside the block, in this thread or task."""
    token = _fields.set({**_fields.get(), **fields})
    try:
        yield
    finally:
        _fields.reset(token)


def current(name: str) -> Any:
    return _fields.get().get(name)


def request_id_from(given: str | None) -> str:
    """The caller's request id when it is sane, else a new one."""
    if given and _SANE_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class ContextFields(logging.Filter):
    """Puts the bound fields on each record, where the formatter finds them."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _fields.get().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class JsonLines(JsonFormatter):
    """time, level, logger and message first, then the bound and extra fields."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 — logging's name
        # ISO 8601 in UTC with milliseconds, as log stores sort and parse it.
        return dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds")
