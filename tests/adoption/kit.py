"""A small city for adoption tests: a frozen clock, vendors with or without
payment codes, and transactions recorded through the payments follow-up
(outbox), the same path a webhook takes after intake."""

import datetime as dt
import itertools

import pytest
from django.db import transaction

from core import clock
from merchants.models import Market, PaymentCode, Vendor, WalletAccount
from payments import outbox
from payments.models import Attribution, Transaction

TODAY = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=clock.BUSINESS_TZ)

_numbers = itertools.count(1)


@pytest.fixture
def frozen(monkeypatch) -> dt.datetime:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def local(day: dt.date, hour: int = 10, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=clock.BUSINESS_TZ)


def make_vendor(market: Market, *, status: str = "active", partners=("vnpt",), with_code: bool = True) -> Vendor:
    n = next(_numbers)
    vendor = Vendor.objects.create(
        code=f"TA{n:06d}",
        market=market,
        stall_number=f"S-{n:03d}",
        full_name="Nguyễn Thị Lan",
        phone="0912345678",
        national_id="092186000123",
        category="rau-cu",
        status=status,
        payment_reference=f"C4T{n:07d}",
        consent_version="2026-01",
        consent_recorded_at=NOW,
    )
    for partner in partners:
        account = WalletAccount.objects.create(vendor=vendor, partner=partner, account_number=f"09{n:08d}")
        PaymentCode.objects.create(
            wallet_account=account,
            payment_reference=vendor.payment_reference,
            payload="000201",
            version=1,
            issued_at=NOW,
            revoked_at=None if with_code else NOW,
        )
    return vendor


def record(
    vendor: Vendor,
    *,
    amount: int,
    at: dt.datetime,
    partner: str = "vnpt",
    kind: str = "payment",
    status: str = "completed",
    original: Transaction | None = None,
) -> Transaction:
    """A transaction as intake writes it, then its follow-up work run."""
    n = next(_numbers)
    with transaction.atomic():
        txn = Transaction.objects.create(
            partner=partner,
            partner_transaction_id=f"T{n:09d}",
            kind=kind,
            status=status,
            amount=amount,
            completed_at=at,
            business_date=clock.business_date(at),
            credit_account=f"09{n:08d}",
            original=original,
            original_partner_transaction_id=original.partner_transaction_id if original else "",
            vendor=vendor,
            market=vendor.market,
            attribution=Attribution.MATCHED,
            content_digest=f"{n:064d}",
            created_at=clock.now(),
        )
        outbox.enqueue(kind=outbox.TRANSACTION_CHANGED, transaction_id=txn.pk)
    outbox.drain()
    return txn


def change_status(txn: Transaction, status: str) -> None:
    """A later status of the same transaction (a reversal), as intake applies it."""
    with transaction.atomic():
        Transaction.objects.filter(pk=txn.pk).update(status=status, status_updated_at=clock.now())
        outbox.enqueue(kind=outbox.TRANSACTION_CHANGED, transaction_id=txn.pk)
    outbox.drain()
