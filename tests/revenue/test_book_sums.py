"""The revenue book equals a straight sum over the raw transactions, whatever
the mix: random days and times (midnight on either side), refunds on their
own day, reversals and failures, transactions attributed late, other
vendors' money and money of nobody's."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adoption import services as adoption_services
from core import clock
from payments import outbox
from payments import services as payment_services
from payments.models import Attribution, Transaction
from revenue.book import PARTNERS, book_for
from revenue.periods import month_key, period_parse, quarter_key
from tests.adoption.kit import NOW, TODAY, change_status, make_vendor, record
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

YEAR_START = dt.datetime(2026, 1, 1, tzinfo=clock.BUSINESS_TZ)
MIDNIGHTS = [YEAR_START + dt.timedelta(days=d) for d in (0, 31, 89, 90, 180, 300, 323)]


def _moment() -> st.SearchStrategy[dt.datetime]:
    """Anywhere in the year so far, or within a second of a local midnight."""
    anywhere = st.integers(0, int((NOW - YEAR_START).total_seconds()) - 1).map(
        lambda s: YEAR_START + dt.timedelta(seconds=s)
    )
    near_midnight = st.tuples(st.sampled_from(MIDNIGHTS), st.sampled_from([-1, 0, 1])).map(
        lambda p: p[0] + dt.timedelta(seconds=p[1])
    )
    return st.one_of(anywhere, near_midnight).map(lambda m: m.astimezone(dt.UTC))


EVENT = st.fixed_dictionaries(
    {
        "whose": st.sampled_from(["mine", "mine", "mine", "other", "late"]),
        "partner": st.sampled_from(PARTNERS),
        "amount": st.integers(1, 5_000_000),
        "at": _moment(),
        "status": st.sampled_from(["completed", "completed", "completed", "failed", "reversed_later"]),
        "refund": st.one_of(st.none(), st.tuples(st.integers(1, 100), st.integers(0, 3 * 24 * 3600))),
    }
)


def _unattributed(
    partner: str, amount: int, at: dt.datetime, *, kind: str = "payment", status: str = "completed", original=None
) -> Transaction:
    n = Transaction.objects.count() + 1
    return Transaction.objects.create(
        partner=partner,
        partner_transaction_id=f"LATE{n:08d}{amount}",
        kind=kind,
        status=status,
        amount=amount,
        completed_at=at,
        business_date=clock.business_date(at),
        credit_account="0900000000",
        original=original,
        attribution=Attribution.UNATTRIBUTED,
        content_digest="0" * 64,
        created_at=clock.now(),
    )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(EVENT, max_size=14))
def test_book_equals_a_straight_sum_over_raw_transactions(market_a, frozen, events):
    operator = make_user(f"op{Transaction.objects.count()}_{len(events)}", "operator")
    mine = make_vendor(market_a, partners=PARTNERS)
    other = make_vendor(market_a, partners=PARTNERS)
    for event in events:
        vendor = other if event["whose"] == "other" else mine
        status = "failed" if event["status"] == "failed" else "completed"
        if event["whose"] == "late":
            txn = _unattributed(event["partner"], event["amount"], event["at"], status=status)
        else:
            txn = record(vendor, amount=event["amount"], at=event["at"], partner=event["partner"], status=status)
        if event["refund"]:
            share, delay = event["refund"]
            amount = max(1, event["amount"] * share // 100)
            when = min(event["at"] + dt.timedelta(seconds=delay), NOW - dt.timedelta(seconds=1))
            if event["whose"] == "late":
                _unattributed(event["partner"], amount, when, kind="refund", original=txn)
            else:
                record(vendor, amount=amount, at=when, partner=event["partner"], kind="refund", original=txn)
        if event["status"] == "reversed_later":
            change_status(txn, "reversed")
    # The operator attributes the queue to the vendor afterwards (refunds too).
    for txn in Transaction.objects.filter(attribution=Attribution.UNATTRIBUTED):
        payment_services.transaction_attribute(actor=operator, txn=txn, vendor=mine)
    outbox.drain()

    book = book_for(mine, period_parse("2026", today=TODAY), produced_at=NOW)
    expected = _straight(mine)

    got_days = {line.key: {p: _tuple(m) for p, m in line.by_wallet.items()} for line in book.days}
    assert got_days == {k: v for k, v in expected["day"].items() if v}
    for lines, grain in ((book.months, "month"), (book.quarters, "quarter")):
        got = {line.key: {p: _tuple(m) for p, m in line.by_wallet.items()} for line in lines if line.by_wallet}
        assert got == {k: v for k, v in expected[grain].items() if v}
    assert _tuple(book.total) == _sum(expected["day"].values())
    assert book.watch.year_to_date == book.total.net
    # The threshold watch over many vendors reads the rollups: the same money.
    assert adoption_services.rollups_check(repair=False).drift_rows == 0


def _straight(vendor) -> dict[str, dict[str, dict[str, tuple]]]:
    """Per day, month and quarter, per partner: (payments, gross, refunds,
    refunded), summed one raw row at a time, the date taken from the moment."""
    out: dict[str, dict] = {"day": {}, "month": {}, "quarter": {}}
    for txn in Transaction.objects.filter(vendor=vendor):
        if txn.status != "completed":
            continue
        local = txn.completed_at.astimezone(clock.BUSINESS_TZ).date()
        if local.year != 2026:
            continue
        add = (1, txn.amount, 0, 0) if txn.kind == "payment" else (0, 0, 1, txn.amount)
        for grain, key in (("day", local.isoformat()), ("month", month_key(local)), ("quarter", quarter_key(local))):
            cell = out[grain].setdefault(key, {}).setdefault(txn.partner, (0, 0, 0, 0))
            out[grain][key][txn.partner] = tuple(a + b for a, b in zip(cell, add, strict=True))
    return out


def _tuple(money) -> tuple:
    return (money.payments, money.gross, money.refunds, money.refunded)


def _sum(days) -> tuple:
    total = (0, 0, 0, 0)
    for wallets in days:
        for cell in wallets.values():
            total = tuple(a + b for a, b in zip(total, cell, strict=True))
    return total


def test_a_payment_a_second_before_local_midnight_is_that_day(market_a, frozen):
    vendor = make_vendor(market_a)
    before = dt.datetime(2026, 3, 31, 23, 59, 59, tzinfo=clock.BUSINESS_TZ)
    record(vendor, amount=10_000, at=before)
    record(vendor, amount=20_000, at=before + dt.timedelta(seconds=1))
    book = book_for(vendor, period_parse("2026", today=TODAY), produced_at=NOW)
    assert [(line.key, line.total.gross) for line in book.days] == [("2026-03-31", 10_000), ("2026-04-01", 20_000)]
    assert [(line.key, line.total.gross) for line in book.quarters][:2] == [("2026-Q1", 10_000), ("2026-Q2", 20_000)]
