from django.core.management.base import BaseCommand, CommandError

from payments.simulator import HttpTransport, Simulator, live_moments, play


class Command(BaseCommand):
    help = (
        "Play VNPT Money, Viettel Money and MobiFone Money: signed webhook deliveries to real vendors' "
        "accounts, with duplicates, retries, refunds, reversals, out-of-order statuses and bad requests. "
        "What was sent is kept in SimulatedNotice for settlement files."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="base URL of the running server")
        parser.add_argument("--count", type=int, default=100, help="number of deliveries to send")
        parser.add_argument("--rate", type=float, default=10.0, help="deliveries per second (0: as fast as possible)")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, url: str, count: int, rate: float, seed: int | None, **options) -> None:
        if count < 1:
            raise CommandError("--count must be at least 1")
        if rate < 0:
            raise CommandError("--rate cannot be negative")
        try:
            simulator = Simulator(seed=seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        tally = play(simulator, live_moments(), HttpTransport(url), count=count, rate=rate)
        for label, number in sorted(tally.items()):
            self.stdout.write(f"{label}: {number}")
        if tally["unexpected answer"]:
            raise CommandError(f"{tally['unexpected answer']} deliveries got an answer the contract does not expect")
