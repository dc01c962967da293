"""The figures each process counts as things happen, for Prometheus.

Events are counted where they happen, in the process they happen in (a web
process counts deliveries, a worker counts reconciliation runs, the stall
stream counts open screens); figures that are read from the database (the
outbox backlog, open exceptions, queue depths…) are collected at scrape time
by `market40.metrics` instead, once, from the web process.

Under the web server or a Celery pool each child process counts on its own; with
`PROMETHEUS_MULTIPROC_DIR` set (docker-compose sets it) prometheus-client
writes every child's figures there and the scrape adds them up. The labels
never carry a vendor, a payer or an amount: only partners, verdicts and
outcomes.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Gauge, Histogram

from core.partners import Partner

NAMESPACE = "cho40"

WEBHOOK_DELIVERIES = Counter(
    "webhook_deliveries",
    "Webhook deliveries answered, by partner and verdict.",
    ["partner", "verdict"],
    namespace=NAMESPACE,
)
# From the body read to the answer built, the partner's wait on our side.
INTAKE_SECONDS = Histogram(
    "intake_duration_seconds",
    "Time to judge, record and answer one webhook delivery.",
    ["partner"],
    namespace=NAMESPACE,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
RECONCILIATION_RUNS = Counter(
    "reconciliation_runs",
    "Reconciliation runs finished, by partner and outcome (done, missing_file, failed).",
    ["partner", "outcome"],
    namespace=NAMESPACE,
)
RECONCILIATION_SECONDS = Histogram(
    "reconciliation_run_duration_seconds",
    "Duration of one reconciliation run.",
    ["partner"],
    namespace=NAMESPACE,
    buckets=(0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0),
)
# A gauge summed over the live processes of the stream server.
OPEN_SCREENS = Gauge(
    "vendor_screens_open",
    "Vendor stall screens with an open live stream.",
    namespace=NAMESPACE,
    multiprocess_mode="livesum",
)

VERDICTS = ("accepted", "duplicate", "conflict", "rejected")

# Every partner's series exists from the start at 0, so "no delivery for 30
# minutes" is an increase of 0 rather than a series that is not there.
for _partner in Partner.values:
    INTAKE_SECONDS.labels(_partner)
    for _verdict in VERDICTS:
        WEBHOOK_DELIVERIES.labels(_partner, _verdict)


def delivery_answered(*, partner: str, verdict: str, seconds: float) -> None:
    WEBHOOK_DELIVERIES.labels(partner, verdict).inc()
    INTAKE_SECONDS.labels(partner).observe(seconds)


@contextmanager
def reconciliation_timed(*, partner: str) -> Iterator[dict[str, str]]:
    """Time a run; the caller puts its outcome in the dict it is given. A run
    that raises counts as failed."""
    started = time.perf_counter()
    result = {"outcome": "failed"}
    try:
        yield result
    except BaseException:
        result["outcome"] = "failed"
        raise
    finally:
        RECONCILIATION_RUNS.labels(partner, result["outcome"]).inc()
        RECONCILIATION_SECONDS.labels(partner).observe(time.perf_counter() - started)


@contextmanager
def screen_open() -> Iterator[None]:
    """Held for as long as one vendor's live stream is open."""
    OPEN_SCREENS.inc()
    try:
        yield
    finally:
        OPEN_SCREENS.dec()
