from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.formatting import format_vnd
from core.partners import Partner
from merchants.models import Vendor
from payments.simulator import RETRY_RULES, HttpTransport, Simulator, local_transport

# Where `make demo` serves by default.
DEFAULT_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Send one signed payment webhook, as the partner would, to a chosen vendor's wallet account: "
        "watch it arrive on the vendor's stall screen and in its takings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--vendor", required=True, help="the vendor's code (TT…)")
        parser.add_argument("--amount", required=True, type=int, help="the amount in đồng, e.g. 45000")
        parser.add_argument(
            "--partner", choices=[partner.value for partner in Partner], help="the wallet (default: the vendor's first)"
        )
        parser.add_argument("--url", default=DEFAULT_URL, help="base URL of the running server")
        parser.add_argument(
            "--direct", action="store_true", help="hand the delivery to intake in this process, with no server"
        )

    def handle(
        self,
        *args: Any,
        vendor: str,
        amount: int,
        partner: str | None,
        url: str,
        direct: bool,
        **options: Any,
    ) -> None:
        if amount < 1:
            raise CommandError("--amount must be a positive number of đồng")
        try:
            simulator = Simulator(vendor=vendor)
            send = simulator.test_payment(amount=amount, partner=partner)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        headers, body = simulator.encode(send)
        transport = local_transport if direct else HttpTransport(url)
        status, answer = transport(send.partner, headers, body)
        stall = Vendor.objects.select_related("market").get(code=vendor)
        self.stdout.write(
            f"{send.partner} {send.notice.partner_transaction_id}: {format_vnd(amount)} to {vendor} "
            f"(stall {stall.stall_number}, {stall.market.code}) — answered {status or 'nothing'} "
            f"{answer.decode('utf-8', 'replace')}"
        )
        # Accepted as the partner's contract counts it (Viettel: code 00 or 02 in a 200).
        if not RETRY_RULES[Partner(send.partner)].done(status, answer):
            raise CommandError(f"the server did not accept the payment: {status or 'no answer'}")
