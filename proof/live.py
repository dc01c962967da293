"""A live stack for scenarios that go over real HTTP: a scratch PostgreSQL
database, `manage.py` in a child process, and the web server on a free loopback port.

The database lives on the project's server (the one DATABASE_URL names, or
the PostgreSQL embedded under var/, market40/database.py) and is called after
the project's own database plus a suffix, so two checkouts sharing one server
never meet in the same scratch database. It is dropped at the end, whatever
happened.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from market40.database import with_database

ROOT = Path(__file__).resolve().parent.parent


def server_url() -> str:
    """The project's server: DATABASE_URL, which the settings set to the
    embedded server's URL when it was unset."""
    from django.conf import settings

    settings.DATABASES  # noqa: B018 — reading the settings decides the server
    return os.environ["DATABASE_URL"]


def scratch_url(suffix: str) -> str:
    """The URL of this checkout's scratch database `<the project's database>_<suffix>`."""
    url = server_url()
    base = urlsplit(url).path.lstrip("/") or "market40"
    return with_database(url, f"{base}_{suffix}")


def _admin(url: str, statement: str) -> None:
    import psycopg

    # CREATE/DROP DATABASE cannot run in a transaction, hence autocommit.
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(statement)


@contextlib.contextmanager
def scratch_postgres(suffix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for the block; yields its URL."""
    url = scratch_url(suffix)
    name = urlsplit(url).path.lstrip("/")
    # The name comes from DATABASE_URL and a fixed suffix, never from input.
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(url, f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a child process of the app, on `database_url`."""
    env = dict(os.environ, DATABASE_URL=database_url, DEBUG="0", LOG_LEVEL="WARNING")
    env["DJANGO_SETTINGS_MODULE"] = "market40.settings"
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    """`manage.py` in a child process; its output, or an error with its last words."""
    done = subprocess.run(  # noqa: S603 — our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


# Active vendors, each with an account at all three partners.
_PAYING_VENDORS = """
from core import clock
from merchants.models import Market, Vendor, WalletAccount
from proof.live import paying_account, paying_reference
markets = list(Market.objects.order_by("code"))[:{markets}]
vendors = Vendor.objects.bulk_create(
    Vendor(
        code=f"{tag}{{i:05d}}", market=markets[i % len(markets)], stall_number=f"P-{{i:03d}}", full_name="Trần Thị Mai",
        phone=f"09{{i:08d}}", national_id=f"092{{i:09d}}", category="rau-cu", status="active",
        payment_reference=paying_reference("{tag}", i), consent_version="2026-01", consent_recorded_at=clock.now(),
    )
    for i in range({count})
)
WalletAccount.objects.bulk_create(
    WalletAccount(vendor=vendor, partner=partner, account_number=paying_account(i))
    for i, vendor in enumerate(vendors)
    for partner in ("vnpt", "viettel", "mobifone")
)
"""


def seed_paying_vendors(env: dict[str, str], count: int, *, tag: str, markets: int | None = None) -> None:
    """`count` active vendors coded `<tag><number>`, spread over the first
    `markets` markets (all of them when None); vendor i holds account
    `paying_account(i)` at every partner and pays with `paying_reference(tag, i)`."""
    manage(env, "shell", "-c", _PAYING_VENDORS.format(count=count, tag=tag, markets=markets))


def paying_account(number: int) -> str:
    return f"09{number:08d}"


def paying_reference(tag: str, number: int) -> str:
    return f"C4{tag}{number:05d}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port} after {timeout:.0f} s")


@contextlib.contextmanager
def web_server(
    env: dict[str, str],
    *,
    workers: int = 2,
    port: int | None = None,
    log: Path | None = None,
    app: str | None = None,
    server: str | None = None,
) -> Iterator[int]:
    """The web server as deployed (`market40/server.py`), on a free loopback
    port; yields the port. The server gets its own process group so stopping
    it stops its workers; its error output goes to `log` when given (a 5xx
    leaves its traceback there). `app` and `server` name another WSGI
    application or server than the shipped ones (the benchmark's)."""
    from market40.server import DEFAULT_APP, command

    port = port or free_port()
    errors = open(log, "ab") if log is not None else None  # noqa: SIM115 — closed after the server stops
    argv = command(app=app or DEFAULT_APP, host="127.0.0.1", port=port, workers=workers, server=server, quiet=True)
    server_process = subprocess.Popen(  # noqa: S603 — our own interpreter
        [sys.executable, *argv],
        cwd=ROOT,
        env=env,
        stderr=errors,
        start_new_session=True,
    )
    try:
        wait_for_port(port)
        yield port
    finally:
        os.killpg(server_process.pid, signal.SIGTERM)
        try:
            server_process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server_process.pid, signal.SIGKILL)
            server_process.wait()
        if errors is not None:
            errors.close()
