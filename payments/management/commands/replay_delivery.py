from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from payments import services
from payments.models import WebhookDelivery


class Command(BaseCommand):
    help = "Run stored webhook deliveries through intake again, as of when they arrived (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("delivery_ids", nargs="+", type=int)
        parser.add_argument("--operator", required=True, help="username of the operator doing the replay")

    def handle(self, *args: Any, delivery_ids: list[int], operator: str, **options: Any) -> None:
        actor = User.objects.filter(username=operator).first()
        if actor is None:
            raise CommandError(f"no user {operator!r}")
        for delivery_id in delivery_ids:
            delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
            if delivery is None:
                raise CommandError(f"no webhook delivery {delivery_id}")
            try:
                replay = services.delivery_replay(actor=actor, delivery=delivery)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"delivery {delivery_id}: replay {replay.pk} {replay.verdict} {replay.reason}")
