from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from market40.demo_users import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print where to look and how to log in to the demo."

    def handle(self, *args: Any, **options: Any) -> None:
        base = settings.PUBLIC_BASE_URL
        lines = [
            "",
            "Chợ 4.0 demo",
            f"  Web app:      {base}/",
            f"  API docs:     {base}/api/v1/docs",
            f"  Admin:        {base}/admin/",
            "  Logins (password for all: " + DEMO_PASSWORD + "):",
        ]
        lines += [f"    {username:<15} {label}" for username, _role, _markets, label in DEMO_USERS]
        self.stdout.write("\n".join(lines) + "\n")
