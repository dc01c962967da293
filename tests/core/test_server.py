"""The web server as deployed: `python -m market40.server` (market40/server.py)."""

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from market40.database import with_database
from market40.server import command
from payments.models import WebhookDelivery
from proof.live import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


def test_granian_is_the_default_with_the_settings_from_the_environment(monkeypatch):
    for name in ("SERVER", "SERVER_BIND", "SERVER_WORKERS", "SERVER_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SERVER_THREADS", "6")
    argv = command()
    assert argv[:2] == ["-m", "granian"]
    assert {"--interface=wsgi", "--host=0.0.0.0", "--port=8000", "--blocking-threads=6"} <= set(argv)
    assert f"--workers={os.cpu_count()}" in argv
    assert argv[-1] == "market40.wsgi:application"
    assert "--access-log" not in argv


def test_gunicorn_takes_the_same_settings(monkeypatch):
    monkeypatch.setenv("SERVER", "gunicorn")
    monkeypatch.setenv("SERVER_BIND", "127.0.0.1:9000")
    monkeypatch.setenv("SERVER_WORKERS", "3")
    monkeypatch.setenv("SERVER_ACCESS_LOG", "1")
    argv = command()
    assert argv[:3] == ["-m", "gunicorn", "market40.wsgi:application"]
    assert {"--bind=127.0.0.1:9000", "--workers=3", "--threads=4", "--access-logfile=-"} <= set(argv)


def test_an_unknown_server_stops_start_up(monkeypatch):
    monkeypatch.setenv("SERVER", "uwsgi")
    with pytest.raises(SystemExit, match="SERVER must be granian or gunicorn"):
        command()


# The server commits its rows for real; a transactional test empties the tables after it.
@pytest.mark.django_db(transaction=True)
def test_the_deployed_server_answers_the_site_and_the_partners(settings):
    """The real server process, on the test database: the health check, and a
    partner's delivery on the short road (an unsigned one is refused by the
    intake with the contract's answer and logged, not refused by the server)."""
    port = free_port()
    env = dict(os.environ, SERVER_BIND=f"127.0.0.1:{port}", SERVER_WORKERS="1", DEBUG="0")
    env["DATABASE_URL"] = _database_url(settings)
    server = subprocess.Popen(  # noqa: S603 — our own interpreter and module
        [sys.executable, "-m", "market40.server"], cwd=ROOT, env=env, start_new_session=True
    )
    try:
        wait_for_port(port)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=10) as answer:  # noqa: S310
            assert answer.status == 200
            assert answer.headers["Server"] == "granian"
        delivery = urllib.request.Request(  # noqa: S310 — loopback
            f"http://127.0.0.1:{port}/api/v1/webhooks/vnpt", data=b"{}", method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(delivery, timeout=10)  # noqa: S310
        assert refused.value.code == 401
        assert "webhook-signature" in refused.value.read().decode()
        assert WebhookDelivery.objects.get().verdict == "rejected"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _database_url(settings) -> str:
    """The test database on the project's server (the settings name that server in DATABASE_URL)."""
    return with_database(os.environ["DATABASE_URL"], settings.DATABASES["default"]["NAME"])
