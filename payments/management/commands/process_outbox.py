from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from payments import outbox


class Command(BaseCommand):
    help = "Run the follow-up work waiting in the payments outbox (what the periodic sweep does)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=10_000)

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        done = outbox.drain(limit=limit)
        self.stdout.write(f"outbox: {done} event(s) processed")
