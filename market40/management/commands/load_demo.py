import time
from typing import Any

from django.core.management.base import BaseCommand

from market40.demo_history import fill_adoption_history
from market40.demo_users import ensure_demo_users
from merchants.demo import load_vendors
from payments.demo import fill_demo_week


class Command(BaseCommand):
    help = "Load the demo data (logins, vendors, wallet accounts) into a migrated database. Safe to run twice."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        users = ensure_demo_users()
        created = load_vendors(actor=users["van_hanh"])
        fill_demo_week()
        self.stdout.write(f"demo: {created} new vendors in {time.monotonic() - started:.1f} s")
        from reconciliation.demo import make_demo_night

        self.stdout.write(f"demo: reconciliation exceptions by kind {make_demo_night()}")
        self.stdout.write(f"demo: adoption history, {fill_adoption_history()['deliveries']} deliveries")
