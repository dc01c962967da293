import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from market40.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Redact webhook bodies past WEBHOOK_BODY_RETENTION_DAYS and anonymise vendors closed more than "
        "VENDOR_ANONYMISE_AFTER_DAYS ago, create the delivery log's next monthly partition and detach months "
        "past ACCOUNTING_RETENTION_YEARS (what the nightly task does); prints a JSON report. "
        "--dry-run reports what would be done and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="report only, change nothing")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        report = retention_apply(dry_run=dry_run)
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
