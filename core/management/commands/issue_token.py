from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.models import ApiToken


class Command(BaseCommand):
    help = "Issue a bearer token for an integration acting as USERNAME and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {username!r}")
        raw = ApiToken.new_raw_token()
        ApiToken.objects.create(user=user, digest=ApiToken.digest_of(raw))
        self.stdout.write(raw)
