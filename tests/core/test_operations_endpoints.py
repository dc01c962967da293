"""/healthz, /readyz and /metrics as a probe, a load balancer and Prometheus
see them, and a Celery worker's own metrics endpoint."""

import datetime as dt
import urllib.request

import pytest
import redis
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from adoption import tasks as adoption_tasks
from adoption.models import MarketPartnerDay
from core import clock
from market40 import health, metrics
from reconciliation import services as reconciliation
from tests.adoption.kit import NOW, make_vendor, record

pytestmark = pytest.mark.django_db


def figures(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client: Client | None = None) -> dict[tuple[str, tuple], float]:
    response = (client or Client()).get("/metrics")
    assert response.status_code == 200, response.content
    return figures(response.content.decode())


# --- health -----------------------------------------------------------------------------


@pytest.fixture
def probe(settings) -> Client:
    """A probe from inside the network: a host name the site does not serve,
    plain HTTP under production's HTTPS redirect."""
    settings.SECURE_SSL_REDIRECT = True
    return Client(HTTP_HOST="web:8000")


def test_liveness_answers_a_probe_by_its_internal_name_over_plain_http(probe):
    response = probe.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    # The same client on any other path meets the host check.
    assert probe.get("/api/v1/health").status_code == 400


def test_readiness_checks_the_database_and_the_migrations(probe, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    response = probe.get("/readyz")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "broker": "in process"},
    }


def test_a_database_missing_a_migration_is_not_ready(probe, monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    MigrationRecorder.Migration.objects.filter(app="payments").order_by("-applied").first().delete()

    response = probe.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["migrations"] == "1 pending"


def test_a_broker_that_does_not_answer_leaves_the_process_ready_but_degraded(probe, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = probe.get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"].startswith("unreachable")


@pytest.mark.redis
def test_a_broker_that_answers_is_ready(probe, settings):
    import os

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = os.environ["REDIS_URL"]

    assert probe.get("/readyz").json()["checks"]["broker"] == "ok"


# --- who may read /metrics -------------------------------------------------------------


def test_metrics_are_refused_to_a_caller_outside_the_allowed_networks(settings):
    settings.METRICS_TOKEN = ""
    response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics")

    assert response.status_code == 403
    assert "Không được phép" in response.json()["detail"]
    assert b"cho40_" not in response.content


def test_metrics_are_refused_to_a_request_relayed_by_the_public_proxy(settings):
    settings.METRICS_TOKEN = ""
    assert Client(HTTP_X_FORWARDED_FOR="203.0.113.9").get("/metrics").status_code == 403


def test_an_allowed_network_is_a_setting(settings):
    settings.METRICS_ALLOWED_NETWORKS = [__import__("ipaddress").ip_network("10.1.0.0/16")]

    assert Client(REMOTE_ADDR="10.1.4.20").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403


def test_the_token_opens_metrics_from_anywhere_and_a_wrong_one_does_not(settings):
    settings.METRICS_TOKEN = "a-long-random-scrape-token"
    outside = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}

    assert Client(**outside, HTTP_AUTHORIZATION="Bearer a-long-random-scrape-token").get("/metrics").status_code == 200
    assert Client(**outside, HTTP_AUTHORIZATION="Bearer a-long-random-scrape-tokeX").get("/metrics").status_code == 403


# --- figures ------------------------------------------------------------------------------


def test_a_reconciliation_run_is_counted_and_a_missing_settlement_file_shows(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    yesterday = clock.today() - dt.timedelta(days=1)
    before = scrape()
    assert before[("cho40_settlement_file_missing", (("partner", "viettel"),))] == 1

    reconciliation.reconciliation_run(actor=None, partner="viettel", business_date=yesterday)

    after = scrape()
    key = ("cho40_reconciliation_runs_total", (("outcome", "missing_file"), ("partner", "viettel")))
    assert after[key] == before.get(key, 0) + 1
    duration = ("cho40_reconciliation_run_duration_seconds_count", (("partner", "viettel"),))
    assert after[duration] == before.get(duration, 0) + 1
    assert after[("cho40_reconciliation_exceptions_open", (("partner", "viettel"),))] == 1
    assert after[("cho40_reconciliation_exceptions_open", (("partner", "vnpt"),))] == 0


def test_the_last_rollup_check_drift_is_shown(monkeypatch, market_a):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    record(make_vendor(market_a), amount=45000, at=NOW - dt.timedelta(hours=1))
    adoption_tasks.nightly_check()
    assert scrape()[("cho40_rollup_drift_rows", ())] == 0

    MarketPartnerDay.objects.update(payments_amount=1)
    adoption_tasks.nightly_check()

    assert scrape()[("cho40_rollup_drift_rows", ())] == 1
    assert scrape()[("cho40_rollup_check_timestamp_seconds", ())] == NOW.timestamp()


@pytest.mark.redis
def test_celery_queue_depths_are_read_from_the_broker(settings):
    import os

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = os.environ["REDIS_URL"]
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("printing")
    try:
        client.rpush("printing", b"{}", b"{}", b"{}")
        shown = scrape()
    finally:
        client.delete("printing")

    assert shown[("cho40_broker_up", ())] == 1
    assert shown[("cho40_celery_queue_depth", (("queue", "printing"),))] == 3
    assert ("cho40_celery_queue_depth", (("queue", "ingest"),)) in shown


def test_a_broker_down_shows_as_such_and_the_scrape_still_answers(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    shown = scrape()

    assert shown[("cho40_broker_up", ())] == 0
    assert shown[("cho40_database_up", ())] == 1


def test_a_celery_worker_serves_its_own_counters(settings):
    settings.CELERY_METRICS_BIND = "127.0.0.1:0"  # any free port
    server = metrics.serve_worker_metrics()
    assert server is not None
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/metrics", timeout=5) as answer:  # noqa: S310
            shown = figures(answer.read().decode())
    finally:
        server.shutdown()
        server.server_close()

    assert ("cho40_webhook_deliveries_total", (("partner", "vnpt"), ("verdict", "accepted"))) in shown
    assert not any(name == "cho40_outbox_backlog" for name, _labels in shown)


def test_without_the_setting_a_worker_serves_nothing(settings):
    settings.CELERY_METRICS_BIND = ""
    assert metrics.serve_worker_metrics() is None
