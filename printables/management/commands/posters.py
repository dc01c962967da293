"""`manage.py posters --market CODE --out FILE.pdf [--layout a5|a4x2]`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from merchants.models import Market
from printables import documents, selectors, services


class Command(BaseCommand):
    help = "Write the QR posters of every active vendor of a market to one PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--market", required=True, help="market code, e.g. NK01")
        parser.add_argument("--out", required=True, help="PDF file to write")
        parser.add_argument("--layout", default="a5", help="a5 (one poster a page) or a4x2 (two A5 on A4)")

    def handle(self, *args: Any, market: str, out: str, layout: str, **options: Any) -> None:
        found = Market.objects.filter(code=market.strip().upper()).first()
        if found is None:
            raise CommandError(f"--market: không tìm thấy chợ có mã “{market}”")
        try:
            layout = services.clean_layout(layout)
            items = selectors.market_posters(found)
            pdf = documents.market_posters_pdf(found, layout=layout, items=items)
        except DomainError as exc:
            raise CommandError(exc.summary) from exc
        Path(out).write_bytes(pdf)
        self.stdout.write(f"{len(items)} áp phích, {len(pdf):,} byte → {out}")
