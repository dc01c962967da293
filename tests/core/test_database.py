"""The database is PostgreSQL: the server DATABASE_URL names, or with none the
one embedded under VAR_DIR, started for the process and stopped at its exit."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from market40 import database

ROOT = Path(__file__).resolve().parents[2]
WHERE = (
    "from django.db import connection\n"
    "with connection.cursor() as cursor:\n"
    "    cursor.execute('SHOW data_directory')\n"
    "    print(cursor.fetchone()[0], connection.pg_version // 10000)\n"
)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_with_no_database_url_the_embedded_postgresql_serves_and_stops_at_exit():
    var = ROOT / "var" / f"embedded-test-{os.getpid()}"
    try:
        result = manage("shell", "-c", WHERE, DATABASE_URL="", VAR_DIR=str(var))
        assert result.returncode == 0, result.stderr
        data_directory, major = result.stdout.splitlines()[-1].split()
        assert Path(data_directory) == var / "postgres"
        assert int(major) >= 15
        # The process that started it was the last to leave: the server stopped.
        assert not (var / "postgres" / "postmaster.pid").exists()
        # Its data stays for the next run, which finds the database made.
        again = manage("shell", "-c", WHERE, DATABASE_URL="", VAR_DIR=str(var))
        assert again.returncode == 0, again.stderr
        assert again.stdout.splitlines()[-1] == result.stdout.splitlines()[-1]
    finally:
        database.stop(var / "postgres")
        shutil.rmtree(var, ignore_errors=True)


def test_a_database_url_of_another_engine_stops_start_up():
    result = manage("check", DATABASE_URL="mysql://cho40@127.0.0.1:3306/cho40")
    assert result.returncode != 0
    assert "DATABASE_URL must name a PostgreSQL server" in result.stderr


def test_a_url_names_another_database_on_the_same_server():
    url = "postgresql://postgres@%2Fsrv%2Fvar%2Fpostgres:5432/market40?sslmode=disable"
    assert database.with_database(url, "market40_proof") == (
        "postgresql://postgres@%2Fsrv%2Fvar%2Fpostgres:5432/market40_proof?sslmode=disable"
    )
