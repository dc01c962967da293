"""Vendor import: 20,000 rows from one XLSX/CSV sheet. Goal: under 20 s."""

import csv
import io
import random
import time

from bench.common import Row, scratch_database

ROWS = 20_000
GOAL_SECONDS = 20.0


def _sheet(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run() -> list[Row]:
    from django.contrib.auth.models import User

    from merchants import imports
    from merchants.demo import demo_rows
    from merchants.models import Market

    with scratch_database():
        actor = User.objects.create_superuser("bench", password="bench-only-password")
        market = Market.objects.get(code="NK01")
        rows = demo_rows(market, ROWS, random.Random(1))
        results = []
        for label, content, name in (("xlsx", _xlsx(rows), "bench.xlsx"), ("csv", _sheet(rows), "bench.csv")):
            started = time.perf_counter()
            dry = imports.vendor_import(actor=actor, market=market, filename=name, content=content, dry_run=True)
            dry_seconds = time.perf_counter() - started
            results.append(
                Row(
                    "import",
                    f"dry run, {ROWS:,} rows {label}",
                    f"{dry_seconds:.1f} s",
                    f"< {GOAL_SECONDS:.0f} s",
                    dry_seconds < GOAL_SECONDS,
                )
            )
            if label == "csv":
                continue
            started = time.perf_counter()
            report = imports.vendor_import(actor=actor, market=market, filename=name, content=content, dry_run=False)
            seconds = time.perf_counter() - started
            assert report["created"] == dry["created"] == ROWS, report["rejected"]
            results.append(
                Row(
                    "import",
                    f"import, {ROWS:,} rows {label}",
                    f"{seconds:.1f} s",
                    f"< {GOAL_SECONDS:.0f} s",
                    seconds < GOAL_SECONDS,
                )
            )
            started = time.perf_counter()
            again = imports.vendor_import(actor=actor, market=market, filename=name, content=content, dry_run=False)
            seconds = time.perf_counter() - started
            assert again["unchanged"] == ROWS
            results.append(
                Row(
                    "import",
                    "re-import, unchanged",
                    f"{seconds:.1f} s",
                    f"< {GOAL_SECONDS:.0f} s",
                    seconds < GOAL_SECONDS,
                )
            )
        return results
