"""Follow-ups of one market and day running at the same time in several
workers: row locks serialise them, so no count is lost (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from adoption import services
from adoption.models import MarketPartnerDay, VendorDay
from core import clock
from payments.models import Attribution, Transaction
from tests.adoption.kit import TODAY, local, make_vendor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_parallel_followups_of_one_market_day_lose_nothing(frozen, market_a):
    vendors = [make_vendor(market_a) for _ in range(3)]
    start = threading.Barrier(4)
    errors = []

    def worker(offset: int) -> None:
        # As intake and its follow-up do: the transaction commits, then the
        # rollup runs, while other workers do the same for the same day.
        try:
            start.wait()
            for n in range(offset, 48, 4):
                txn = Transaction.objects.create(
                    partner="vnpt",
                    partner_transaction_id=f"C{n:05d}",
                    kind="payment",
                    status="completed",
                    amount=1000 * (n + 1),
                    completed_at=local(TODAY, 8 + n % 10),
                    business_date=TODAY,
                    credit_account="0900000000",
                    vendor=vendors[n % 3],
                    market=market_a,
                    attribution=Attribution.MATCHED,
                    content_digest="c",
                    created_at=clock.now(),
                )
                services.rollup_transaction_recorded(transaction_id=txn.pk)
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    row = MarketPartnerDay.objects.get(market=market_a, partner="vnpt", day=TODAY)
    assert (row.payments_count, row.payments_amount) == (48, 1000 * sum(range(1, 49)))
    assert VendorDay.objects.filter(market=market_a, day=TODAY, payments_count=16).count() == 3
    assert services.rollups_check(repair=False).drift_rows == 0


def test_a_slow_followup_cannot_overwrite_a_later_one(frozen, market_a, monkeypatch):
    """Worker A has read the day's transactions and is slow to write; B
    records a second payment meanwhile. A's stale sum must not win."""
    lan = make_vendor(market_a)
    b_done = threading.Event()
    a_read = threading.Event()
    original_save = MarketPartnerDay.save

    def slow_save(self, *args, **kwargs):
        if threading.current_thread().name == "A":
            a_read.set()
            b_done.wait(timeout=2)  # with the row lock B cannot finish first
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(MarketPartnerDay, "save", slow_save)

    def pay(n: int) -> Transaction:
        return Transaction.objects.create(
            partner="vnpt",
            partner_transaction_id=f"S{n}",
            kind="payment",
            status="completed",
            amount=10_000 * n,
            completed_at=local(TODAY, 9),
            business_date=TODAY,
            credit_account="0900000000",
            vendor=lan,
            market=market_a,
            attribution=Attribution.MATCHED,
            content_digest="c",
            created_at=clock.now(),
        )

    def a() -> None:
        services.rollup_transaction_recorded(transaction_id=pay(1).pk)
        connection.close()

    def b() -> None:
        a_read.wait(timeout=5)
        services.rollup_transaction_recorded(transaction_id=pay(2).pk)
        b_done.set()
        connection.close()

    # The day's row exists already (an earlier payment), as on any busy day.
    services.rollup_transaction_recorded(transaction_id=pay(3).pk)
    threads = [threading.Thread(target=a, name="A"), threading.Thread(target=b, name="B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert a_read.is_set(), "A never reached its write: nothing was interleaved"
    row = MarketPartnerDay.objects.get(market=market_a, partner="vnpt", day=TODAY)
    assert (row.payments_count, row.payments_amount) == (3, 60_000)
