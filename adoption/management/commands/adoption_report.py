from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from adoption import selectors
from adoption.report_pdf import render_monthly
from core.errors import ValidationFailed


class Command(BaseCommand):
    help = "Write the monthly adoption report (PDF, Vietnamese) for the Department of Industry and Trade."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="the month, YYYY-MM")
        parser.add_argument("--out", required=True, help="the PDF file to write")

    def handle(self, *args: Any, month: str, out: str, **options: Any) -> None:
        try:
            period = selectors.month_period(month)
        except ValidationFailed as exc:
            raise CommandError(f"--month: {exc.errors['month'][0]}") from exc
        pdf = render_monthly(selectors.adoption_report(period=period))
        Path(out).write_bytes(pdf)
        self.stdout.write(f"{out}: {len(pdf)} bytes, {period.first:%d/%m/%Y}–{period.as_of:%d/%m/%Y}")
