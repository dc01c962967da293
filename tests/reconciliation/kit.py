"""Shared set-up for reconciliation tests: vendors with wallets, transactions
recorded through the real webhook intake, and hand-written settlement files."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core import clock
from merchants import services as merchants_services
from payments import intake
from payments.models import Transaction
from payments.partners import Notice, adapter_for

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = dt.date(2026, 11, 20)
VNPT_HEADER = (
    "transaction_id,type,completed_at,credit_account,reference,amount,fee,net_amount,original_transaction_id\n"
)


def at(day: dt.date, hh: int, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=LOCAL)


@pytest.fixture
def frozen_now(monkeypatch):
    """The clock two days after DAY, so webhooks of DAY are 'late' but signed now."""
    moment = at(DAY + dt.timedelta(days=2), 2, 0)
    monkeypatch.setattr(clock, "now", lambda: moment)
    return moment


@pytest.fixture
def lan(operator, market_a):
    """A vegetable seller at market A with a wallet at every partner."""
    vendor = merchants_services.vendor_register(
        actor=operator,
        market=market_a,
        data={
            "stall_number": "A-012",
            "full_name": "Nguyễn Thị Lan",
            "phone": "0912345678",
            "national_id": "092186000123",
            "category": "rau-cu",
        },
        consent_given=True,
    )
    for partner, account in (("vnpt", "0912345678"), ("viettel", "0987654321"), ("mobifone", "0901234567")):
        merchants_services.wallet_account_add(actor=operator, vendor=vendor, partner=partner, account_number=account)
    return vendor


@pytest.fixture
def hoa(operator, market_b):
    vendor = merchants_services.vendor_register(
        actor=operator,
        market=market_b,
        data={
            "stall_number": "B-003",
            "full_name": "Trần Thị Hoa",
            "phone": "0913000111",
            "national_id": "092186000456",
            "category": "thuy-san",
        },
        consent_given=True,
    )
    merchants_services.wallet_account_add(actor=operator, vendor=vendor, partner="vnpt", account_number="0913000111")
    return vendor


ACCOUNTS = {"vnpt": "0912345678", "viettel": "0987654321", "mobifone": "0901234567"}


def record(
    partner: str,
    txn_id: str,
    amount: int,
    when: dt.datetime,
    *,
    vendor=None,
    account: str | None = None,
    kind: str = "payment",
    status: str = "completed",
    original: str = "",
    updated_at: dt.datetime | None = None,
) -> Transaction:
    """A transaction recorded the way production records one: a signed
    webhook through payments intake."""
    adapter = adapter_for(partner)
    reference = vendor.payment_reference if vendor is not None else ""
    notice = Notice(
        partner_transaction_id=txn_id,
        kind=kind,
        status=status,
        amount=amount,
        completed_at=when,
        credit_account=account or ACCOUNTS[partner],
        reference=reference,
        description=f"{reference} Thanh toan".strip(),
        original_partner_transaction_id=original,
        status_updated_at=(updated_at or when) if partner == "mobifone" else None,
    )
    now = clock.now()
    headers, body = adapter.encode(notice, secret=adapter.secrets()[0], now=now, message_id=f"msg-{txn_id}")
    received = intake.receive_delivery(partner=partner, headers=headers, body=body)
    assert received.delivery.verdict in ("accepted", "duplicate"), received.delivery.reason
    return Transaction.objects.get(partner=partner, partner_transaction_id=txn_id)


def vnpt_line(
    txn_id, amount, when: dt.datetime, *, kind="PAYMENT", fee=0, account="0912345678", reference="", original=""
) -> str:
    net = amount - fee if kind == "PAYMENT" else -amount - fee
    return f"{txn_id},{kind},{when.isoformat()},{account},{reference},{amount},{fee},{net},{original}\n"


def vnpt_file(*lines: str) -> bytes:
    return (VNPT_HEADER + "".join(lines)).encode()
