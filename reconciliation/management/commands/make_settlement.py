import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ValidationFailed
from core.partners import Partner
from reconciliation.simulate import PLANTS, parse_plants, write_settlement


class Command(BaseCommand):
    help = (
        "Write the settlement file a partner would send for a day (from what the simulator sent, or the recorded "
        "transactions), with planted differences: --plant amount=2 --plant missing --plant extra --plant duplicate "
        "--plant status."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partner", required=True, choices=Partner.values)
        parser.add_argument("--date", required=True, help="YYYY-MM-DD, business date (Asia/Ho_Chi_Minh)")
        parser.add_argument("--out", required=True, help="a file path, or a folder to write the partner's file name in")
        parser.add_argument("--plant", action="append", default=[], help=f"KIND[=N], KIND in {', '.join(PLANTS)}")
        parser.add_argument("--seed", type=int, default=40)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(f"--date: {options['date']!r} is not YYYY-MM-DD") from exc
        try:
            written = write_settlement(
                partner=options["partner"], day=day, plants=parse_plants(options["plant"]), seed=options["seed"]
            )
        except ValidationFailed as exc:
            raise CommandError(exc.message) from exc
        out = Path(options["out"])
        if out.is_dir():
            out = out / written.file_name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(written.content)
        self.stdout.write(
            json.dumps({"file": str(out), "lines": written.lines, "planted": written.planted}, ensure_ascii=False)
        )
