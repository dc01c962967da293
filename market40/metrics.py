"""What /metrics shows: the events each process counted (core/metrics.py)
and the figures read from the database and the broker at scrape time.

The database figures are the same whichever process is asked, so only the
web process (and any process that mounts this view) reports them; a Celery
worker's own endpoint shows its counters only (`serve_worker_metrics`).
"""

import datetime as dt
import hmac
import ipaddress
import logging
from collections.abc import Iterator
from wsgiref.simple_server import WSGIServer

import redis
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, connections
from django.db.models import Count, Min
from django.http import HttpRequest
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from adoption.models import RollupCheck
from core import clock, metrics, replica  # core.metrics defines every counter, at 0, before its first event
from core.partners import Partner
from payments.models import OutboxEvent
from reconciliation.models import ExceptionStatus, ReconciliationException, SettlementFile

logger = logging.getLogger(__name__)

# kombu's Redis transport keeps a queue's messages of priority 0 under its
# name and those of each other priority step under name + "\x06\x16" + step.
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


# On the replica: while it has not replayed up to the primary's position,
# the seconds since the last transaction it replayed (since it started when
# it has replayed none), else 0; and the WAL bytes between the two positions.
_REPLICA_LAG = """
SELECT CASE WHEN NOT pg_is_in_recovery() OR pg_wal_lsn_diff(%(primary)s::pg_lsn, pg_last_wal_replay_lsn()) <= 0
            THEN 0
            ELSE extract(epoch FROM now() - coalesce(pg_last_xact_replay_timestamp(), pg_postmaster_start_time()))
       END,
       coalesce(pg_wal_lsn_diff(%(primary)s::pg_lsn, pg_last_wal_replay_lsn()), 0)
"""


def _gauge(name: str, documentation: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{metrics.NAMESPACE}_{name}", documentation, labels=labels)


class DatabaseFigures(Collector):
    """Gauges read from PostgreSQL and Redis when Prometheus scrapes."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = _gauge("database_up", "1 when the figures below could be read from the database.")
        try:
            families = list(self._from_database())
        except DatabaseError:
            logger.warning("metrics: the database did not answer")
            connection.close()
            up.add_metric([], 0)
            yield up
        else:
            up.add_metric([], 1)
            yield up
            yield from families
        yield from self._queues()
        yield from self._replica()

    def _replica(self) -> Iterator[GaugeMetricFamily]:
        if not replica.configured():
            return
        up = _gauge("replica_up", "1 when the reports' streaming replica answered.")
        lag = _gauge("replica_lag_seconds", "Seconds since the behind replica last replayed; 0 when caught up.")
        behind = _gauge("replica_lag_bytes", "WAL bytes the primary has written that the replica has not replayed.")
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_current_wal_lsn()::text")
                (primary_lsn,) = cursor.fetchone()
            with connections[replica.REPLICA].cursor() as cursor:
                cursor.execute(_REPLICA_LAG, {"primary": primary_lsn})
                seconds, lag_bytes = cursor.fetchone()
        except DatabaseError:
            connections[replica.REPLICA].close()
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        lag.add_metric([], float(seconds or 0))
        behind.add_metric([], float(max(lag_bytes or 0, 0)))
        yield from (up, lag, behind)

    def _from_database(self) -> Iterator[GaugeMetricFamily]:
        now = clock.now()
        pending = OutboxEvent.objects.filter(processed_at__isnull=True).aggregate(
            count=Count("pk"), oldest=Min("created_at")
        )
        backlog = _gauge("outbox_backlog", "Follow-up (outbox) events not yet processed.")
        backlog.add_metric([], pending["count"])
        yield backlog
        oldest = _gauge("outbox_oldest_age_seconds", "Age of the oldest unprocessed follow-up event; 0 when none.")
        oldest.add_metric([], (now - pending["oldest"]).total_seconds() if pending["oldest"] else 0)
        yield oldest

        open_by_partner = dict(
            ReconciliationException.objects.filter(status=ExceptionStatus.OPEN)
            .values_list("partner")
            .annotate(count=Count("pk"))
            .values_list("partner", "count")
        )
        exceptions = _gauge("reconciliation_exceptions_open", "Open reconciliation exceptions.", ["partner"])
        for partner in Partner.values:
            exceptions.add_metric([partner], open_by_partner.get(partner, 0))
        yield exceptions

        yesterday = clock.today() - dt.timedelta(days=1)
        arrived = set(SettlementFile.objects.filter(business_date=yesterday).values_list("partner", flat=True))
        missing = _gauge(
            "settlement_file_missing", "1 when no settlement file is loaded for yesterday's business date.", ["partner"]
        )
        for partner in Partner.values:
            missing.add_metric([partner], 0 if partner in arrived else 1)
        yield missing

        check = RollupCheck.objects.order_by("-started_at", "-id").first()
        drift = _gauge("rollup_drift_rows", "Rows that differed in the last nightly rollup check.")
        drift.add_metric([], check.drift_rows if check else 0)
        yield drift
        checked = _gauge("rollup_check_timestamp_seconds", "When the last rollup check finished (Unix time).")
        checked.add_metric([], check.finished_at.timestamp() if check else 0)
        yield checked

    def _queues(self) -> Iterator[GaugeMetricFamily]:
        if settings.CELERY_TASK_ALWAYS_EAGER or not settings.REDIS_URL:
            return
        names = sorted({route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {"default"})
        depth = _gauge("celery_queue_depth", "Tasks waiting in a Celery queue.", ["queue"])
        up = _gauge("broker_up", "1 when the Celery broker answered.")
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1.0, socket_connect_timeout=1.0)
        try:
            with client.pipeline(transaction=False) as pipe:
                for name in names:
                    for suffix in _PRIORITY_SUFFIXES:
                        pipe.llen(name + suffix)
                lengths = pipe.execute()
        except redis.RedisError:
            up.add_metric([], 0)
            yield up
            return
        finally:
            client.close()
        up.add_metric([], 1)
        yield up
        step = len(_PRIORITY_SUFFIXES)
        for index, name in enumerate(names):
            depth.add_metric([name], sum(lengths[index * step : (index + 1) * step]))
        yield depth


def _counted() -> CollectorRegistry:
    """The events this process counted, or with PROMETHEUS_MULTIPROC_DIR,
    those of every process of the server."""
    if not settings.PROMETHEUS_MULTIPROC_DIR:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    return registry


_figures = CollectorRegistry(auto_describe=False)
_figures.register(DatabaseFigures())


def exposition() -> bytes:
    """The text Prometheus reads from a web process."""
    return generate_latest(_counted()) + generate_latest(_figures)


def may_read(request: HttpRequest) -> bool:
    """The token, or a direct caller from an allowed network. A request a
    proxy relayed carries the public caller's address in X-Forwarded-For
    and its own in REMOTE_ADDR, so only the token lets it through."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


def serve_worker_metrics() -> WSGIServer | None:
    """A Celery worker's own endpoint at CELERY_METRICS_BIND (its counters:
    reconciliation runs, follow-up work). It is reached on the internal
    network only; docker-compose publishes no port for it."""
    if not settings.CELERY_METRICS_BIND:
        return None
    host, _, port = settings.CELERY_METRICS_BIND.rpartition(":")
    if not host or not port.isdigit():
        raise ImproperlyConfigured(f"CELERY_METRICS_BIND must be host:port, got {settings.CELERY_METRICS_BIND!r}")
    server, _thread = start_http_server(int(port), addr=host.strip("[]"), registry=_counted())
    return server
