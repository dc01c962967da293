from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from adoption import services
from core.params import parse_day


class Command(BaseCommand):
    help = (
        "Rebuild the adoption rollups from raw transactions (set-based), or with --check compare them and report "
        "drift (exit status 1 when rows differ)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", help="first business date, YYYY-MM-DD (default: the first one)")
        parser.add_argument("--to", dest="last", help="last business date, YYYY-MM-DD (default: today)")
        parser.add_argument("--check", action="store_true", help="compare and report instead of rebuilding")
        parser.add_argument("--no-repair", action="store_true", help="with --check: report only, change nothing")

    def handle(
        self,
        *args: Any,
        first: str | None = None,
        last: str | None = None,
        check: bool = False,
        no_repair: bool = False,
        **options: Any,
    ) -> None:
        first_day, last_day = parse_day("--from", first), parse_day("--to", last)
        if not check:
            counts = services.rollups_recompute(first=first_day, last=last_day)
            self.stdout.write(" ".join(f"{name}={value}" for name, value in counts.items()))
            return
        result = services.rollups_check(first=first_day, last=last_day, repair=not no_repair)
        self.stdout.write(
            f"checked {result.rows_checked} rows from {result.first_day} to {result.last_day}: "
            f"{result.drift_rows} differ" + (" (repaired)" if result.repaired else "")
        )
        if result.drift_rows:
            for name, found in result.details.items():
                for example in found["examples"][:5]:
                    self.stdout.write(f"  {name} {example}")
            raise CommandError(f"{result.drift_rows} rollup rows differ from the transactions")
