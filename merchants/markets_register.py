"""The programme's original register of 109 markets, shipped in
merchants/data/markets.csv: former district and ward as they were written
before the reform, and the current unit the dataset converts them to (empty
where a former ward was split; tests/merchants/test_market_units.py checks
every line against the dataset)."""

import csv
import datetime as dt
from pathlib import Path

REGISTER_CSV = Path(__file__).parent / "data" / "markets.csv"


def register_rows() -> list[dict]:
    with REGISTER_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "district": row["district"],
            "ward": row["ward"],
            "market_class": row["market_class"],
            "stall_count": int(row["stall_count"]),
            "is_pilot": row["is_pilot"] == "1",
            "pilot_start_date": dt.date.fromisoformat(row["pilot_start_date"]) if row["pilot_start_date"] else None,
            "unit_code": row["unit_code"],
            "unit_name": row["unit_name"],
            "in_original_register": True,
        }
        for row in rows
    ]


def ensure_register_loaded() -> None:
    """Reload the register if the table was emptied (tests that flush the database)."""
    from merchants.models import Market

    if not Market.objects.exists():
        Market.objects.bulk_create([Market(**row) for row in register_rows()])
