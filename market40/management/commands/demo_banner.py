from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from market40.demo_users import DEMO_PASSWORD, DEMO_USERS
from merchants.models import PaymentCode, VendorStatus
from payments.management.commands.send_test_payment import DEFAULT_URL as SEND_TEST_PAYMENT_DEFAULT_URL
from printables.selectors import vendor_link


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
        lines += _stall_screen_lines()
        self.stdout.write("\n".join(lines) + "\n")


def _stall_screen_lines() -> list[str]:
    """How to watch a demo vendor's stall screen react to a payment."""
    code = (
        PaymentCode.objects.filter(
            revoked_at__isnull=True,
            wallet_account__is_active=True,
            wallet_account__vendor__status=VendorStatus.ACTIVE,
        )
        .select_related("wallet_account__vendor__market")
        .order_by("wallet_account__vendor__market__code", "wallet_account__vendor__stall_number")
        .first()
    )
    if code is None:
        return []
    vendor = code.wallet_account.vendor
    return [
        f"  Stall screen of {vendor.display_name} ({vendor.market.name}, stall {vendor.stall_number}):",
        f"    {vendor_link(vendor)}",
        "  Send it a payment and watch (tap 'Bật âm thanh' to hear it):",
        f"    .venv/bin/python manage.py send_test_payment --vendor {vendor.code} --amount 45000{_url_option()}",
    ]


def _url_option() -> str:
    """`--url` when the demo serves somewhere other than the command's default
    (`make demo PORT=8001`)."""
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return "" if base == SEND_TEST_PAYMENT_DEFAULT_URL else f" --url {base}"
