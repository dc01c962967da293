from django.core.management.base import BaseCommand

from payments import outbox


class Command(BaseCommand):
    help = "Run the follow-up work waiting in the payments outbox (what the periodic sweep does)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=10_000)

    def handle(self, *args, limit: int, **options) -> None:
        done = outbox.drain(limit=limit)
        self.stdout.write(f"outbox: {done} event(s) processed")
