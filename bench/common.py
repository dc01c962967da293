"""Shared helpers of the benchmarks: an isolated database and the result table."""

import contextlib
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
