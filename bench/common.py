"""Shared helpers of the benchmarks: an isolated database and the result table."""

import contextlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass

from django.core.management import call_command
from django.test.utils import setup_databases, teardown_databases


@dataclass
class Row:
    benchmark: str
    figure: str
    value: str
    goal: str
    met: bool | None  # None: a figure with no goal of its own


def print_rows(rows: list[Row]) -> None:
    if not rows:
        return
    widths = [max(len(getattr(r, f)) for r in rows) for f in ("benchmark", "figure", "value", "goal")]
    for r in rows:
        verdict = "" if r.met is None else ("ok" if r.met else "MISSED")
        cells = [r.benchmark, r.figure, r.value, r.goal]
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "  " + verdict, flush=True)


@contextlib.contextmanager
def scratch_database():
    """A throw-away test database (`test_<name>` on the project's server), migrated."""
    old = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0)


def load_markets() -> None:
    call_command("migrate", verbosity=0)


def run_in_scratch_database(*, name: str, module: str, scratch: str, keep: bool) -> list[Row]:
    """Runs `python -m <module> worker` against a scratch database `scratch`
    made on the project's PostgreSQL server (or BENCH_POSTGRES_URL's) and
    dropped afterwards, unless `keep` reuses and keeps it (profiling). The
    child reports through `emit` and `log`."""
    import psycopg

    from market40 import database
    from proof.live import server_url

    server = os.environ.get("BENCH_POSTGRES_URL") or server_url()

    def admin(sql: str) -> None:
        with psycopg.connect(database.with_database(server, "postgres"), autocommit=True) as conn:
            conn.execute(sql)

    try:
        if not keep:
            admin(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
        admin(f"CREATE DATABASE {scratch}")
    except Exception as exc:  # noqa: BLE001 — reported as a missed figure, not a crash of `make bench`
        if not (keep and "already exists" in str(exc)):
            return [Row(name, "PostgreSQL scratch database", f"unavailable: {exc}"[:80], "PostgreSQL", False)]
    try:
        env = {
            **os.environ,
            "DATABASE_URL": database.with_database(server, scratch),
            "DJANGO_SETTINGS_MODULE": "market40.settings",
            "DB_CONN_MAX_AGE": "600",
        }
        env.pop("REDIS_URL", None)
        done = subprocess.run(  # noqa: S603 — our own module, our own interpreter
            [sys.executable, "-m", module, "worker"], env=env, capture_output=True, text=True, check=False
        )
        rows = [Row(**json.loads(line[4:])) for line in done.stdout.splitlines() if line.startswith("ROW ")]
        for line in done.stdout.splitlines():
            if line.startswith("LOG "):
                print("  " + line[4:], flush=True)
        if done.returncode != 0:
            rows.append(Row(name, "benchmark run", "failed: " + done.stderr.strip().splitlines()[-1][:100], "", False))
            print(done.stderr[-3000:], file=sys.stderr)
        return rows
    finally:
        if not keep:
            admin(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")


def emit(row: Row) -> None:
    """A figure, from a benchmark's child process to `run_in_scratch_database`."""
    print("ROW " + json.dumps(row.__dict__), flush=True)


def log(message: str) -> None:
    print("LOG " + message, flush=True)
