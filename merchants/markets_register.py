"""The register of Cần Thơ's 109 markets, shipped in merchants/data/markets.csv."""

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
        }
        for row in rows
    ]


def ensure_register_loaded() -> None:
    """Reload the register if the table was emptied (tests that flush the database)."""
    from merchants.models import Market

    if not Market.objects.exists():
        Market.objects.bulk_create([Market(**row) for row in register_rows()])
