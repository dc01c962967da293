import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from payments.simulator import HttpTransport, Outcome, Send, Simulator, live_moments, play


class Command(BaseCommand):
    help = (
        "Play VNPT Money, Viettel Money and MobiFone Money: signed webhook deliveries to real vendors' "
        "accounts, with duplicates, retries, refunds, reversals, out-of-order statuses and bad requests. "
        "Each partner retries as its contract says until the delivery is done or out of retries. "
        "What was sent is kept in SimulatedNotice for settlement files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="base URL of the running server")
        parser.add_argument("--count", type=int, default=100, help="number of deliveries to send (retries not counted)")
        parser.add_argument("--rate", type=float, default=10.0, help="new deliveries a second (0: at once)")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--retry-speedup",
            type=float,
            default=1.0,
            help="divide the partners' retry delays (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) by this; 1 is real time",
        )
        parser.add_argument("--concurrency", type=int, default=1, help="connections sending at once")
        parser.add_argument("--ledger", help="write one JSON line per delivery: what was sent and how it ended")
        parser.add_argument("--vendor", help="pay only this vendor's accounts (its code, TT…)")
        parser.add_argument("--market", help="pay only the accounts of this market's vendors (its code, e.g. NK01)")

    def handle(
        self,
        *args: Any,
        url: str,
        count: int,
        rate: float,
        seed: int | None,
        retry_speedup: float,
        concurrency: int,
        ledger: str | None,
        vendor: str | None,
        market: str | None,
        **options: Any,
    ) -> None:
        if count < 1:
            raise CommandError("--count must be at least 1")
        if rate < 0:
            raise CommandError("--rate cannot be negative")
        if retry_speedup <= 0:
            raise CommandError("--retry-speedup must be positive")
        if concurrency < 1:
            raise CommandError("--concurrency must be at least 1")
        try:
            simulator = Simulator(seed=seed, vendor=vendor, market=market)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        out = Path(ledger).open("w", encoding="utf-8") if ledger else None
        try:
            tally = play(
                simulator,
                live_moments(),
                HttpTransport(url),
                count=count,
                rate=rate,
                retry_speedup=retry_speedup,
                concurrency=concurrency,
                on_result=(lambda send, outcome: out.write(_ledger_line(send, outcome))) if out else None,
            )
        finally:
            if out:
                out.close()
        for label, number in sorted(tally.items()):
            self.stdout.write(f"{label}: {number}")
        if tally["unexpected answer"]:
            raise CommandError(f"{tally['unexpected answer']} deliveries got an answer the contract does not expect")


def _ledger_line(send: Send, outcome: Outcome) -> str:
    notice = send.notice
    updated = notice.status_updated_at
    return (
        json.dumps(
            {
                "partner": send.partner,
                "partner_transaction_id": notice.partner_transaction_id,
                "label": send.label,
                "good": send.good,
                "kind": notice.kind,
                "status": notice.status,
                "amount": notice.amount,
                "status_updated_at": updated.isoformat() if updated else None,
                "answer": outcome.status,
                "acknowledged": outcome.acknowledged,
                "attempts": outcome.attempts,
            }
        )
        + "\n"
    )
