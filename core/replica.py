"""Reports read from a PostgreSQL streaming replica when there is one.

With DATABASE_REPLICA_URL set, `settings.DATABASES["replica"]` is a hot
standby of the primary. Code that only reads and can live with a second or
two of lag (the department's dashboard, the exports, the monthly report)
runs inside `reading_replica()`; there, the router sends reads to the
replica. Everything else, every write, and any read inside a transaction
on the primary (it must see its own writes) stays on the primary.

A replica that does not answer is skipped for REPLICA_RETRY_SECONDS and
the reads go to the primary, so the dashboard keeps answering while the
replica is down; `market40.metrics` reports its state and lag.
"""

import contextlib
import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DatabaseError, OperationalError, connections, transaction
from django.db.models import Model

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"
# After the replica fails to answer, the primary serves reads for this long.
REPLICA_RETRY_SECONDS = 30.0

_reading: ContextVar[bool] = ContextVar("reading_replica", default=False)
_down_until = 0.0

P = ParamSpec("P")
R = TypeVar("R")


def configured() -> bool:
    return REPLICA in settings.DATABASES


def _usable() -> bool:
    """The replica is configured and answers (tried again REPLICA_RETRY_SECONDS after a failure)."""
    if not configured() or time.monotonic() < _down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError:
        _mark_down()
        return False
    return True


def _mark_down() -> None:
    global _down_until  # noqa: PLW0603 — per-process memo of a failed replica
    logger.warning("replica does not answer: reads go to the primary", extra={"retry_seconds": REPLICA_RETRY_SECONDS})
    connections[REPLICA].close()
    _down_until = time.monotonic() + REPLICA_RETRY_SECONDS


@contextlib.contextmanager
def _serving(alias: str) -> Iterator[str]:
    token = _reading.set(alias == REPLICA)
    try:
        yield alias
    finally:
        _reading.reset(token)


def reading_replica() -> contextlib.AbstractContextManager[str]:
    """Reads inside the block go to the replica when it answers (and no
    transaction is open on the primary); the block gets the alias serving them."""
    in_transaction = transaction.get_connection(PRIMARY).in_atomic_block
    return _serving(REPLICA if not in_transaction and _usable() else PRIMARY)


def reads_from_replica(view: Callable[P, R]) -> Callable[P, R]:
    """`reading_replica()` around a read-only view or report. When the replica
    fails in the middle, the primary answers instead: the work only reads, so
    doing it again is harmless."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with reading_replica() as alias:
            try:
                return view(*args, **kwargs)
            except OperationalError:
                if alias != REPLICA:
                    raise
                _mark_down()
        with _serving(PRIMARY):
            return view(*args, **kwargs)

    return wrapped


def serving_alias() -> str:
    return REPLICA if _reading.get() else PRIMARY


class ReplicaRouter:
    """Reads to the replica inside `reading_replica()`, all else to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return serving_alias()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # one database, two copies

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY
