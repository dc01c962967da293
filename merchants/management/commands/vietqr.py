"""`manage.py vietqr decode PAYLOAD` and `manage.py vietqr encode --bin … --account … --name …`."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from merchants import vietqr


class Command(BaseCommand):
    help = "Decode a VietQR payload to JSON, or encode one from its fields."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        decode = actions.add_parser("decode", help="print every field of a payload as JSON")
        decode.add_argument("payload")
        encode = actions.add_parser("encode", help="print the payload for these fields")
        encode.add_argument("--bin", required=True, help="acquirer BIN, 6 digits")
        encode.add_argument("--account", required=True, help="beneficiary account number")
        encode.add_argument("--name", required=True, help="merchant name (diacritics are removed)")
        encode.add_argument("--city", default=vietqr.DEFAULT_CITY)
        encode.add_argument("--reference", default=None, help="purpose of transaction (tag 62, sub-tag 08)")
        encode.add_argument("--amount", type=int, default=None, help="whole đồng; makes the code dynamic")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            if action == "decode":
                fields = vietqr.decode(options["payload"])
                self.stdout.write(json.dumps(fields, ensure_ascii=False, indent=2))
            else:
                payload = vietqr.encode(
                    bin=options["bin"],
                    account=options["account"],
                    name=options["name"],
                    city=options["city"],
                    reference=options["reference"],
                    amount=options["amount"],
                )
                self.stdout.write(payload)
        except vietqr.VietQRError as exc:
            raise CommandError(str(exc), returncode=1) from exc
