import json
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from market40.vendor_export import vendor_data_export
from merchants.models import Vendor


class Command(BaseCommand):
    help = "Write everything held about one vendor to one JSON file (a vendor's request for their data); audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("vendor_code")
        parser.add_argument("--operator", required=True, help="username of the operator doing the export")
        parser.add_argument("--out", required=True, help="the JSON file to write")

    def handle(self, *args: Any, vendor_code: str, operator: str, out: str, **options: Any) -> None:
        actor = User.objects.filter(username=operator).first()
        if actor is None:
            raise CommandError(f"no user {operator!r}")
        vendor = Vendor.objects.select_related("market").filter(code=vendor_code).first()
        if vendor is None:
            raise CommandError(f"no vendor {vendor_code!r}")
        path = Path(out)
        try:
            document = vendor_data_export(actor=actor, vendor=vendor, file_name=path.name)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        self.stdout.write(f"{vendor_code}: {path} ({path.stat().st_size:,} bytes)")
