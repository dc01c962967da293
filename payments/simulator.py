"""The three partner wallets, played: signed deliveries to real vendors'
accounts, with duplicates, retries, refunds, reversals, out-of-order
statuses and a share of bad requests.

What the partners "did" is kept in `SimulatedNotice` (one row per partner
transaction, final state), so settlement files can be written from it.
Bodies are written by the partner adapters, so the simulator itself knows
no partner's field names.
"""

import dataclasses
import datetime as dt
import http.client
import random
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator

from django.db import transaction

from core import clock
from core.partners import Partner
from merchants.models import VendorStatus, WalletAccount
from payments import intake
from payments.models import Kind, SimulatedNotice, Status
from payments.partners import Notice, adapter_for

WRONG_SECRET = "simulator-wrong-secret"  # noqa: S105 — deliberately not a partner's secret
DESCRIPTIONS = ["Thanh toan", "Mua rau", "Tien ca", "Tra tien thit", "Mua trai cay", "Ck tien hang", ""]


@dataclasses.dataclass(frozen=True)
class Send:
    """One HTTP delivery to make; `good` says whether it should be accepted."""

    partner: str
    notice: Notice
    good: bool = True
    secret: str = ""
    corrupt: bool = False
    message_id: str = ""
    label: str = "payment"


Transport = Callable[[str, dict, bytes], int]


def local_transport(partner: str, headers: dict, body: bytes) -> int:
    """Straight into intake, in this process (the demo)."""
    return intake.receive_delivery(partner=partner, headers=headers, body=body).reply.status


class HttpTransport:
    """POSTs to a running server over one kept-alive connection."""

    def __init__(self, base_url: str, timeout: float = 15.0) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def __call__(self, partner: str, headers: dict, body: bytes) -> int:
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.conn.request("POST", f"{self.prefix}/api/v1/webhooks/{partner}", body=body, headers=headers)
                response = self.conn.getresponse()
                response.read()
                return response.status
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt:
                    return 0
        return 0


class Simulator:
    def __init__(self, *, seed: int | None = None, unknown_share: float = 0.03, bad_share: float = 0.05) -> None:
        self.rnd = random.Random(seed)
        self.unknown_share = unknown_share
        self.bad_share = bad_share
        self.accounts = list(
            WalletAccount.objects.filter(is_active=True, vendor__status=VendorStatus.ACTIVE).values_list(
                "partner", "account_number", "vendor__payment_reference"
            )
        )
        if not self.accounts:
            raise ValueError("no active wallet accounts to pay: load vendors first")
        self.run = f"{self.rnd.randrange(10**4):04d}"
        self.serial = 0

    # --- what happens -----------------------------------------------------

    def _new_id(self, partner: str, when: dt.datetime) -> str:
        self.serial += 1
        local = when.astimezone(clock.BUSINESS_TZ)
        tail = f"{self.run}{self.serial:06d}"
        if partner == Partner.VNPT:
            return f"VNPT{local:%y%m%d}{tail}"
        if partner == Partner.VIETTEL:
            return f"VT{local:%y%m%d%H%M%S}{tail}"
        return f"MBF-{local:%Y%m%d}-{tail}"

    def _amount(self) -> int:
        # Market purchases: mostly small, in whole thousands of đồng.
        return self.rnd.choice([5, 10, 12, 15, 20, 25, 30, 35, 40, 45, 50, 60, 80, 100, 150, 200, 350, 500]) * 1000

    def _after(self, when: dt.datetime, max_minutes: int) -> dt.datetime:
        """A later moment, never in the future."""
        later = when + dt.timedelta(minutes=self.rnd.randrange(1, max_minutes), seconds=self.rnd.randrange(60))
        return max(min(later, clock.now()), when + dt.timedelta(seconds=1))

    def _payment(self, when: dt.datetime) -> tuple[str, Notice]:
        partner, account, reference = self.rnd.choice(self.accounts)
        if self.rnd.random() < self.unknown_share:
            account = "09" + f"{self.rnd.randrange(10**8):08d}"
            reference = ""
        with_reference = self.rnd.random() < 0.8
        description = self.rnd.choice(DESCRIPTIONS)
        if partner == Partner.MOBIFONE and with_reference:
            description = f"{reference} {description}".strip()
        return partner, Notice(
            partner_transaction_id=self._new_id(partner, when),
            kind=Kind.PAYMENT,
            status=Status.COMPLETED,
            partner_status="00" if partner == Partner.VIETTEL else ("SUCCESS" if partner == Partner.MOBIFONE else ""),
            amount=self._amount(),
            completed_at=when,
            credit_account=account,
            reference=reference if with_reference else "",
            description=description,
            status_updated_at=when if partner == Partner.MOBIFONE else None,
        )

    def story(self, when: dt.datetime) -> list[Send]:
        """One customer's payment and whatever follows it, as deliveries in
        the order they are sent."""
        partner, notice = self._payment(when)
        roll = self.rnd.random()
        if roll < self.bad_share:
            return [self._bad(partner, notice)]
        self._remember(partner, notice)
        first = Send(partner, notice)
        roll = self.rnd.random()
        if roll < 0.12:
            return [first, dataclasses.replace(first, label="duplicate")]
        if partner == Partner.MOBIFONE and roll < 0.22:
            later = when + dt.timedelta(minutes=self.rnd.randrange(1, 90))
            reversed_ = dataclasses.replace(
                notice, status=Status.REVERSED, partner_status="REVERSED", status_updated_at=later
            )
            self._remember(partner, reversed_)
            second = Send(partner, reversed_, label="reversal")
            # One reversal in three is delivered before the payment it reverses.
            return [second, dataclasses.replace(first, label="late success")] if roll < 0.15 else [first, second]
        if partner == Partner.VIETTEL and roll < 0.17:
            failed = dataclasses.replace(notice, status=Status.FAILED, partner_status="13")
            self._remember(partner, failed)
            return [Send(partner, failed, label="failed")]
        if partner != Partner.MOBIFONE and roll < 0.20:
            refund = self._refund(partner, notice)
            self._remember(partner, refund)
            second = Send(partner, refund, label="refund")
            return (
                [second, dataclasses.replace(first, label="payment after refund")] if roll < 0.14 else [first, second]
            )
        return [first]

    def _refund(self, partner: str, payment: Notice) -> Notice:
        when = self._after(payment.completed_at, 120)
        return dataclasses.replace(
            payment,
            partner_transaction_id=self._new_id(partner, when),
            kind=Kind.REFUND,
            amount=payment.amount if self.rnd.random() < 0.7 else payment.amount // 2,
            completed_at=when,
            reference="",
            description="Hoan tien",
            original_partner_transaction_id=payment.partner_transaction_id,
        )

    def _bad(self, partner: str, notice: Notice) -> Send:
        kind = self.rnd.choice(["wrong secret", "byte changed", "zero amount"])
        if kind == "wrong secret":
            return Send(partner, notice, good=False, secret=WRONG_SECRET, label=kind)
        if kind == "byte changed":
            return Send(partner, notice, good=False, corrupt=True, label=kind)
        return Send(partner, dataclasses.replace(notice, amount=0), good=False, label=kind)

    def _remember(self, partner: str, notice: Notice) -> None:
        SimulatedNotice.objects.update_or_create(
            partner=partner,
            partner_transaction_id=notice.partner_transaction_id,
            defaults={
                "kind": notice.kind,
                "status": notice.status,
                "partner_status": notice.partner_status,
                "amount": notice.amount,
                "completed_at": notice.completed_at,
                "status_updated_at": notice.status_updated_at,
                "credit_account": notice.credit_account,
                "reference": notice.reference,
                "description": notice.description,
                "original_partner_transaction_id": notice.original_partner_transaction_id,
                "sent_at": clock.now(),
            },
        )

    # --- sending ----------------------------------------------------------

    def encode(self, send: Send) -> tuple[dict, bytes]:
        adapter = adapter_for(send.partner)
        secret = send.secret or adapter.secrets()[0]
        headers, body = adapter.encode(send.notice, secret=secret, now=clock.now(), message_id=send.message_id)
        if send.corrupt:
            body = body.replace(str(send.notice.amount).encode(), str(send.notice.amount + 1000).encode(), 1)
        return headers, body

    def sends(self, moments: Iterator[dt.datetime]) -> Iterator[Send]:
        for when in moments:
            with transaction.atomic():
                planned = self.story(when)
            yield from planned


def play(
    simulator: Simulator,
    moments: Iterator[dt.datetime],
    transport: Transport,
    *,
    count: int,
    rate: float = 0.0,
    on_result: Callable[[Send, int], None] | None = None,
) -> Counter:
    """Send `count` deliveries at `rate` per second (0: as fast as possible).
    A delivery answered with an error the partner retries (5xx, no answer)
    is retried, as the partners do, with the same body and a fresh signature."""
    tally: Counter = Counter()
    interval = 1.0 / rate if rate > 0 else 0.0
    next_at = time.monotonic()
    sent = 0
    for send in simulator.sends(moments):
        if sent >= count:
            break
        status = 0
        for _attempt in range(3):
            if interval:
                pause = next_at - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                next_at = max(next_at + interval, time.monotonic() - 1.0)
            status = transport(send.partner, *simulator.encode(send))
            sent += 1
            if send.good and (status == 0 or status >= 500):
                tally["retried"] += 1
                continue
            break
        ok = 200 <= status < 300
        tally[send.label] += 1
        tally["as expected" if ok == send.good else "unexpected answer"] += 1
        if on_result:
            on_result(send, status)
    tally["deliveries"] = sent
    return tally


def live_moments() -> Iterator[dt.datetime]:
    """Payments happening now, each a little before it is delivered."""
    rnd = random.Random()
    while True:
        yield clock.now() - dt.timedelta(seconds=rnd.randrange(0, 60))


def market_hours(days: list[dt.date], per_day: int, seed: int = 40) -> Iterator[dt.datetime]:
    """Moments spread over each day's market hours (05:00 to 18:00 local)."""
    rnd = random.Random(seed)
    for day in days:
        start = dt.datetime.combine(day, dt.time(5, 0), tzinfo=clock.BUSINESS_TZ)
        for offset in sorted(rnd.randrange(13 * 3600) for _ in range(per_day)):
            yield start + dt.timedelta(seconds=offset)
