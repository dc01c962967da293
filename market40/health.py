"""Liveness and readiness, as a load balancer or docker-compose asks them.

`/healthz` says the process answers at all. `/readyz` says it can do its
work: the database answers and has every migration applied. The broker is
reported but never makes the process unready: with Redis down, follow-up
work waits in the outbox (payments/outbox.py) and intake goes on, so the
process is knowingly degraded, not out of service.
"""

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

BROKER_TIMEOUT_SECONDS = 1.0

# Once every migration is applied it stays so for this code: the migration
# graph (a few hundred milliseconds to load) is read until then only.
_migrated = False


def liveness() -> tuple[int, dict]:
    return 200, {"status": "ok"}


def readiness() -> tuple[int, dict]:
    checks = {"database": _database(), "migrations": "ok", "broker": _broker()}
    if checks["database"] == "ok":
        checks["migrations"] = _migrations()
    else:
        checks["migrations"] = "unknown"
    if checks["database"] != "ok" or checks["migrations"] != "ok":
        return 503, {"status": "unavailable", "checks": checks}
    status = "ok" if checks["broker"] in ("ok", "in process") else "degraded"
    return 200, {"status": status, "checks": checks}


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        # A broken connection is dropped so the next probe tries a fresh one.
        connection.close()
        return "unreachable"
    return "ok"


def _migrations() -> str:
    global _migrated  # noqa: PLW0603 — a per-process memo, see above
    if _migrated:
        return "ok"
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        connection.close()
        return "unknown"
    if pending:
        return f"{len(pending)} pending"
    _migrated = True
    return "ok"


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.REDIS_URL:
        return "in process"
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=BROKER_TIMEOUT_SECONDS, socket_connect_timeout=BROKER_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except redis.RedisError:
        return "unreachable (follow-up work waits in the outbox)"
    finally:
        client.close()
    return "ok"
