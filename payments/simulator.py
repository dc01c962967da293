"""The three partner wallets, played: signed deliveries to real vendors'
accounts, with duplicates, retries, refunds, reversals, out-of-order
statuses and a share of bad requests.

What the partners "did" is kept in `SimulatedNotice` (one row per partner
transaction, final state), so settlement files can be written from it.
Bodies are written by the partner adapters, so the simulator itself knows
no partner's field names; what it knows of each partner is when a delivery
is done and when it is tried again (`RETRY_RULES`, from partners.md).
"""

import dataclasses
import datetime as dt
import heapq
import http.client
import json
import queue
import random
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import InterfaceError, OperationalError, connection

from core import clock
from core.partners import Partner
from merchants.models import Market, Vendor, VendorStatus, WalletAccount
from payments import intake
from payments.models import Kind, SimulatedNotice, Status
from payments.partners import Notice, adapter_for

WRONG_SECRET = "simulator-wrong-secret"  # noqa: S105 — deliberately not a partner's secret
# How long the simulator waits for our database to take its record back.
SAVE_PATIENCE_SECONDS = 120.0
# Deliveries planned (and written down) at once.
PLAN_AHEAD = 50
NOTICE_FIELDS = [
    "partner_transaction_id",
    "kind",
    "status",
    "partner_status",
    "amount",
    "completed_at",
    "status_updated_at",
    "credit_account",
    "reference",
    "description",
    "original_partner_transaction_id",
]
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


# What a transport gives back: the HTTP status (0 for no answer) and the body.
Answer = tuple[int, bytes]
Transport = Callable[[str, dict, bytes], Answer]


def local_transport(partner: str, headers: dict, body: bytes) -> Answer:
    """Straight into intake, in this process (the demo)."""
    reply = intake.receive_delivery(partner=partner, headers=headers, body=body).reply
    return reply.status, json.dumps(reply.body).encode()


class HttpTransport:
    """POSTs to a running server, one kept-alive connection per sending thread."""

    def __init__(self, base_url: str, timeout: float = 15.0) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.prefix = parts.path.rstrip("/")
        # partners.md: no 2xx within 15 s is a failed attempt, retried later.
        self.timeout = timeout
        self.local = threading.local()

    def __call__(self, partner: str, headers: dict, body: bytes) -> Answer:
        for attempt in range(2):
            try:
                if getattr(self.local, "conn", None) is None:
                    self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.local.conn.request("POST", f"{self.prefix}/api/v1/webhooks/{partner}", body=body, headers=headers)
                response = self.local.conn.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                self.local.conn = None
                if attempt:
                    return 0, b""
        return 0, b""


# --- each partner's retry rules (partners.md) ------------------------------------

# Seconds after the previous attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
RETRY_DELAYS = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)


def _any_2xx(status: int, body: bytes) -> bool:
    return 200 <= status < 300


def _viettel_done(status: int, body: bytes) -> bool:
    """Viettel stops on code 00 (recorded) and 02 (already recorded) only."""
    if status != 200:
        return False
    try:
        return json.loads(body).get("code") in ("00", "02")
    except (ValueError, AttributeError):
        return False


def _http_200(status: int, body: bytes) -> bool:
    return status == 200


@dataclasses.dataclass(frozen=True)
class RetryRule:
    """When a partner considers a delivery done, and when it tries again.
    Every retry is the same body (and for VNPT the same webhook-id) with a
    fresh timestamp and signature."""

    done: Callable[[int, bytes], bool]
    delays: tuple[float, ...] = RETRY_DELAYS


RETRY_RULES = {
    Partner.VNPT: RetryRule(_any_2xx),
    # partners.md names Viettel's stopping answers but not its schedule; VNPT's is used.
    Partner.VIETTEL: RetryRule(_viettel_done),
    Partner.MOBIFONE: RetryRule(_http_200),
}


@dataclasses.dataclass(frozen=True)
class Outcome:
    """How one delivery ended: the last answer, whether the partner counts it
    as done, and how many attempts it took."""

    status: int
    acknowledged: bool
    attempts: int


def payable_accounts(*, vendor: str | None = None, market: str | None = None) -> list[tuple[str, str, str]]:
    """(partner, account number, payment reference) of the active accounts of
    active vendors, of one vendor or one market when named; a ValueError
    says why there is none to pay."""
    accounts = WalletAccount.objects.filter(is_active=True, vendor__status=VendorStatus.ACTIVE)
    if vendor:
        if not Vendor.objects.filter(code=vendor).exists():
            raise ValueError(f"no vendor {vendor}")
        accounts = accounts.filter(vendor__code=vendor)
    if market:
        if not Market.objects.filter(code=market).exists():
            raise ValueError(f"no market {market}")
        accounts = accounts.filter(vendor__market__code=market)
    found = list(accounts.order_by("pk").values_list("partner", "account_number", "vendor__payment_reference"))
    if not found:
        named = " of ".join(
            part for part in (f"vendor {vendor}" if vendor else "", f"market {market}" if market else "") if part
        )
        raise ValueError(
            f"no active wallet account of an active vendor{' (' + named + ')' if named else ''} to pay: "
            + ("add one, or activate the vendor" if named else "load vendors first")
        )
    return found


class Simulator:
    def __init__(
        self,
        *,
        seed: int | None = None,
        unknown_share: float = 0.03,
        bad_share: float = 0.05,
        vendor: str | None = None,
        market: str | None = None,
    ) -> None:
        self.rnd = random.Random(seed)
        self.unknown_share = unknown_share
        self.bad_share = bad_share
        # Aimed at one vendor or market, every payment goes to its accounts:
        # none to an account nobody holds.
        if vendor or market:
            self.unknown_share = 0.0
        self.accounts = payable_accounts(vendor=vendor, market=market)
        self.run = f"{self.rnd.randrange(10**4):04d}"
        self.serial = 0
        self._unsaved: list[tuple[str, Notice]] = []

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
        return partner, self._completed(
            partner,
            when,
            amount=self._amount(),
            account=account,
            reference=reference if with_reference else "",
            description=description,
        )

    def _completed(
        self, partner: str, when: dt.datetime, *, amount: int, account: str, reference: str, description: str
    ) -> Notice:
        """A completed payment as the partner reports it (MobiFone carries the
        reference in the description)."""
        if partner == Partner.MOBIFONE and reference:
            description = f"{reference} {description}".strip()
        return Notice(
            partner_transaction_id=self._new_id(partner, when),
            kind=Kind.PAYMENT,
            status=Status.COMPLETED,
            partner_status="00" if partner == Partner.VIETTEL else ("SUCCESS" if partner == Partner.MOBIFONE else ""),
            amount=amount,
            completed_at=when,
            credit_account=account,
            reference=reference,
            description=description,
            status_updated_at=when if partner == Partner.MOBIFONE else None,
        )

    def test_payment(self, *, amount: int, partner: str | None = None) -> Send:
        """One good payment of `amount` đồng, completed now, to the first
        account (at `partner` when named), with the vendor's reference;
        written down like every other so the settlement files include it."""
        accounts = [found for found in self.accounts if partner in (None, found[0])]
        if not accounts:
            held = ", ".join(sorted({found[0] for found in self.accounts}))
            raise ValueError(f"no active wallet account at {partner} (accounts at: {held})")
        chosen, account, reference = accounts[0]
        notice = self._completed(
            chosen, clock.now(), amount=amount, account=account, reference=reference, description="Thanh toan thu"
        )
        self._remember(chosen, notice)
        self._save_remembered()
        return Send(chosen, notice, label="test payment")

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
        self._unsaved.append((partner, notice))

    def _save_remembered(self) -> None:
        """Write down what the partners did, a batch at a time. The partners
        keep sending while our database restarts (the fault proof does that),
        so a write that fails for want of a connection is tried again until it
        goes through; inside a caller's transaction (the demo) there is
        nothing to retry."""
        if not self._unsaved:
            return
        now = clock.now()
        # The last word on each transaction (a reversal after its payment) is its final state.
        rows = {(partner, notice.partner_transaction_id): (partner, notice) for partner, notice in self._unsaved}
        outer = connection.in_atomic_block
        deadline = time.monotonic() + SAVE_PATIENCE_SECONDS
        while True:
            # New instances on every try: a batch that went through before the
            # connection failed has given its instances ids, and inserting those
            # ids again would collide on the primary key.
            objects = [
                SimulatedNotice(partner=partner, sent_at=now, **{name: getattr(notice, name) for name in NOTICE_FIELDS})
                for partner, notice in rows.values()
            ]
            try:
                SimulatedNotice.objects.bulk_create(
                    objects,
                    update_conflicts=True,
                    unique_fields=["partner", "partner_transaction_id"],
                    update_fields=[*NOTICE_FIELDS[1:], "sent_at"],
                )
                self._unsaved.clear()
                return
            except (OperationalError, InterfaceError):
                if outer or time.monotonic() > deadline:
                    raise
                connection.close()
                time.sleep(0.2)

    # --- sending ----------------------------------------------------------

    def encode(self, send: Send) -> tuple[dict, bytes]:
        adapter = adapter_for(send.partner)
        secret = send.secret or adapter.secrets()[0]
        headers, body = adapter.encode(send.notice, secret=secret, now=clock.now(), message_id=send.message_id)
        if send.corrupt:
            body = body.replace(str(send.notice.amount).encode(), str(send.notice.amount + 1000).encode(), 1)
        return headers, body

    def sends(self, moments: Iterator[dt.datetime], limit: int | None = None) -> Iterator[Send]:
        """The deliveries of one story after another, written down a batch of
        stories ahead (one database round trip per batch, not per story),
        never planning more than one story past `limit` deliveries."""
        planned = 0
        batch: list[Send] = []
        for when in moments:
            batch.extend(self.story(when))
            if len(batch) >= PLAN_AHEAD or (limit is not None and planned + len(batch) >= limit):
                self._save_remembered()
                planned += len(batch)
                yield from batch
                batch = []
                if limit is not None and planned >= limit:
                    return
        self._save_remembered()
        yield from batch


@dataclasses.dataclass
class _Delivery:
    send: Send
    attempts: int = 0


def play(
    simulator: Simulator,
    moments: Iterator[dt.datetime],
    transport: Transport,
    *,
    count: int,
    rate: float = 0.0,
    retry_speedup: float = 1.0,
    concurrency: int = 1,
    on_result: Callable[[Send, Outcome], object] | None = None,
) -> Counter:
    """Send `count` deliveries, new ones at `rate` per second (0: as fast as
    possible), and retry each as its partner does (`RETRY_RULES`): same body,
    fresh signature, after the partner's delays divided by `retry_speedup`
    (the fault proof plays a day of retries in a minute; 1 is the real
    schedule). Returns once every delivery is done or out of retries.

    A deliberately bad delivery (wrong secret, changed byte, zero amount)
    stands for a forger or a broken sender, not the partner's own retrying
    system: it is sent once. With `concurrency` above 1 that many
    connections send at once (the transport must allow it)."""
    tally: Counter = Counter()
    interval = 1.0 / rate if rate > 0 else 0.0
    answers: queue.SimpleQueue = queue.SimpleQueue()
    due: list[tuple[float, int, _Delivery]] = []  # retries, by when they are due
    pool = ThreadPoolExecutor(concurrency, thread_name_prefix="partner") if concurrency > 1 else None
    in_flight = 0
    order = 0
    fresh = simulator.sends(moments, limit=count)
    planned = 0
    next_at = time.monotonic()

    def attempt(delivery: _Delivery) -> None:
        nonlocal in_flight
        delivery.attempts += 1
        tally["attempts"] += 1
        if delivery.attempts > 1:
            tally["retried"] += 1
        headers, body = simulator.encode(delivery.send)
        if pool is None:
            answers.put((delivery, *transport(delivery.send.partner, headers, body)))
            return
        in_flight += 1
        future = pool.submit(transport, delivery.send.partner, headers, body)
        future.add_done_callback(lambda done: answers.put((delivery, *_answer_of(done))))

    def settle(delivery: _Delivery, status: int, body: bytes) -> None:
        nonlocal order
        send = delivery.send
        rule = RETRY_RULES[Partner(send.partner)]
        done = rule.done(status, body)
        if not done and send.good and delivery.attempts <= len(rule.delays):
            order += 1
            retry_at = time.monotonic() + rule.delays[delivery.attempts - 1] / retry_speedup
            heapq.heappush(due, (retry_at, order, delivery))
            return
        tally[send.label] += 1
        tally["acknowledged" if done else "not acknowledged"] += 1
        tally["as expected" if done == send.good else "unexpected answer"] += 1
        if on_result:
            on_result(send, Outcome(status=status, acknowledged=done, attempts=delivery.attempts))

    def take(wait: float) -> bool:
        """Settle one answer, waiting up to `wait` seconds for it."""
        nonlocal in_flight
        try:
            delivery, status, body = answers.get(timeout=wait) if wait > 0 else answers.get_nowait()
        except queue.Empty:
            return False
        in_flight -= pool is not None
        settle(delivery, status, body)
        return True

    try:
        while True:
            while take(0):
                pass
            now = time.monotonic()
            free = in_flight < concurrency
            if free and due and due[0][0] <= now:
                attempt(heapq.heappop(due)[2])
                continue
            if free and planned < count and next_at <= now:
                send = next(fresh, None)
                if send is None:
                    count = planned
                    continue
                planned += 1
                # A stall (our database restarting under the simulator) is made up
                # for by at most a second's worth of deliveries at once.
                next_at = max(next_at + interval, now - 1.0)
                attempt(_Delivery(send))
                continue
            if planned >= count and not due and not in_flight:
                break
            coming = ([due[0][0]] if due else []) + ([next_at] if planned < count else [])
            wait = min(coming) - now if free and coming else 1.0
            take(min(max(wait, 0.001), 1.0))
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    tally["deliveries"] = planned
    return tally


def _answer_of(future: Future[Answer]) -> Answer:
    try:
        return future.result()
    except Exception:  # noqa: BLE001 — a transport that broke is a delivery with no answer
        return 0, b""


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
