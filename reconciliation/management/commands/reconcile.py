import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from core.partners import Partner
from reconciliation import selectors, services
from reconciliation.models import Channel


class Command(BaseCommand):
    help = "Run one partner's reconciliation for one business day; prints a JSON summary per outcome."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partner", required=True, choices=Partner.values)
        parser.add_argument("--date", required=True, help="YYYY-MM-DD, business date (Asia/Ho_Chi_Minh)")
        parser.add_argument("--file", help="import this settlement file first")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(f"--date: {options['date']!r} is not YYYY-MM-DD") from exc
        partner = options["partner"]
        try:
            if options["file"]:
                path = Path(options["file"])
                if not path.is_file():
                    raise CommandError(f"--file: {path} does not exist")
                imported = services.settlement_file_import(
                    actor=None, file_name=path.name, content=path.read_bytes(), channel=Channel.COMMAND, partner=partner
                )
                if imported.file.business_date != day:
                    raise CommandError(
                        f"--file: {path.name} is for {imported.file.business_date.isoformat()}, not {day.isoformat()}"
                    )
            runs = services.reconcile(actor=None, partner=partner, business_date=day)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(selectors.run_summary(runs[0]), ensure_ascii=False, indent=2))
