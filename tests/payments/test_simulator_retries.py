"""The simulated partners retry as partners.md says: which answers end a
delivery, what a retry carries, and when it comes."""

import datetime as dt
import itertools
import json
import threading
import time

import pytest
from django.db import OperationalError

from core import clock
from payments.models import SimulatedNotice, Transaction
from payments.simulator import RETRY_DELAYS, HttpTransport, Simulator, live_moments, local_transport, play


@pytest.fixture
def ticking(monkeypatch) -> None:
    """Each reading of the clock is a second later, so every signature is fresh."""
    start = dt.datetime(2026, 11, 20, 15, 0, tzinfo=clock.BUSINESS_TZ)
    seconds = itertools.count()
    monkeypatch.setattr(clock, "now", lambda: start + dt.timedelta(seconds=next(seconds)))


class FailingFirst:
    """Our server, unavailable for the first `failures` attempts of each
    delivery (answering `answer`), then the real intake."""

    def __init__(self, failures: int, answer: tuple[int, bytes] = (503, b"")) -> None:
        self.failures = failures
        self.answer = answer
        self.seen: dict[bytes, list[dict]] = {}
        self.moments: dict[bytes, list[float]] = {}

    def __call__(self, partner: str, headers: dict, body: bytes) -> tuple[int, bytes]:
        self.seen.setdefault(body, []).append(headers)
        self.moments.setdefault(body, []).append(time.monotonic())
        if len(self.seen[body]) <= self.failures:
            return self.answer
        return local_transport(partner, headers, body)


def only(partner: str, **shares):
    simulator = Simulator(seed=5, unknown_share=0, bad_share=shares.get("bad_share", 0))
    simulator.accounts = [a for a in simulator.accounts if a[0] == partner]
    return simulator


def moments():
    start = dt.datetime(2026, 11, 20, 14, 0, tzinfo=clock.BUSINESS_TZ)
    return (start + dt.timedelta(seconds=n) for n in range(10_000))


@pytest.mark.django_db
def test_a_failed_vnpt_delivery_is_retried_with_the_same_id_and_body_and_a_fresh_signature(lan, ticking):
    transport = FailingFirst(2)

    tally = play(only("vnpt"), moments(), transport, count=6, retry_speedup=1e6)

    # A duplicate delivery carries the same bytes: the server only fails a body's first two attempts.
    assert tally["acknowledged"] == 6 and tally["retried"] == 2 * len(transport.seen)
    assert tally["unexpected answer"] == 0
    for attempts in transport.seen.values():
        assert len({h["webhook-id"] for h in attempts}) == 1
        assert len({h["webhook-timestamp"] for h in attempts}) == len(attempts) >= 3
        assert len({h["webhook-signature"] for h in attempts}) == len(attempts)
    assert Transaction.objects.count() == SimulatedNotice.objects.count()


@pytest.mark.django_db
def test_viettel_retries_until_code_00_or_02(lan, ticking):
    # A 200 that does not say 00 or 02 is not done for Viettel.
    transport = FailingFirst(1, answer=(200, json.dumps({"code": "99"}).encode()))

    tally = play(only("viettel"), moments(), transport, count=5, retry_speedup=1e6)

    assert tally["acknowledged"] == 5 and tally["retried"] == len(transport.seen)
    assert all(len(attempts) >= 2 for attempts in transport.seen.values())


@pytest.mark.django_db
def test_a_delivery_never_answered_is_tried_eight_times_at_the_contracts_delays(lan, ticking):
    speedup = 1e5
    transport = FailingFirst(100)

    tally = play(only("mobifone"), moments(), transport, count=1, retry_speedup=speedup)

    assert tally["not acknowledged"] == 1 and tally["unexpected answer"] == 1
    (moments_of_one,) = transport.moments.values()
    assert len(moments_of_one) == 1 + len(RETRY_DELAYS)
    gaps = [later - earlier for earlier, later in itertools.pairwise(moments_of_one)]
    assert all(gap >= delay / speedup for gap, delay in zip(gaps, RETRY_DELAYS, strict=True))


@pytest.mark.django_db
def test_a_bad_delivery_is_sent_once(lan, ticking):
    transport = FailingFirst(0)

    tally = play(only("vnpt", bad_share=1.0), moments(), transport, count=8, retry_speedup=1e6)

    assert tally["attempts"] == 8 and tally["retried"] == 0
    assert tally["not acknowledged"] == 8 and tally["as expected"] == 8
    assert not Transaction.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_partners_record_waits_for_a_database_that_restarts(lan, ticking, monkeypatch):
    real = SimulatedNotice.objects.bulk_create
    failures = iter([OperationalError("the database system is starting up")] * 2)

    def restarting(*args, **kwargs):
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return real(*args, **kwargs)

    monkeypatch.setattr(SimulatedNotice.objects, "bulk_create", restarting)
    monkeypatch.setattr("payments.simulator.time.sleep", lambda seconds: None)

    tally = play(only("vnpt"), moments(), local_transport, count=4)

    assert next(failures, None) is None, "the simulator never met the restarting database"
    assert tally["acknowledged"] == 4
    assert SimulatedNotice.objects.count() == Transaction.objects.count() == 4


class Overlapping:
    """The HTTP transport, noting how many requests were in flight at once."""

    def __init__(self, url: str) -> None:
        self.http = HttpTransport(url)
        self.lock = threading.Lock()
        self.now = self.peak = 0

    def __call__(self, partner: str, headers: dict, body: bytes) -> tuple[int, bytes]:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            return self.http(partner, headers, body)
        finally:
            with self.lock:
                self.now -= 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_several_connections_send_at_once_over_http(live_server, lan, hoa):
    simulator = Simulator(seed=9, unknown_share=0, bad_share=0)
    transport = Overlapping(live_server.url)

    tally = play(simulator, live_moments(), transport, count=40, concurrency=4, retry_speedup=1e4)

    assert tally["acknowledged"] == 40 and tally["unexpected answer"] == 0
    assert transport.peak > 1
    assert set(Transaction.objects.values_list("partner_transaction_id", flat=True)) == set(
        SimulatedNotice.objects.values_list("partner_transaction_id", flat=True)
    )
