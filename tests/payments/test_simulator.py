"""The partner simulator plays the contract; what it sent is what we record."""

import datetime as dt

import pytest
from django.core.management import call_command

from core import clock
from payments import selectors
from payments.demo import fill_demo_week
from payments.models import SimulatedNotice, Transaction, WebhookDelivery


@pytest.fixture
def frozen(monkeypatch) -> dt.datetime:
    """Mid-afternoon in Cần Thơ, so today's market hours are partly past."""
    moment = dt.datetime(2026, 11, 20, 15, 0, tzinfo=clock.BUSINESS_TZ)
    monkeypatch.setattr(clock, "now", lambda: moment)
    return moment


def truth() -> set[tuple]:
    return set(SimulatedNotice.objects.values_list("partner", "partner_transaction_id", "kind", "status", "amount"))


def recorded() -> set[tuple]:
    return set(Transaction.objects.values_list("partner", "partner_transaction_id", "kind", "status", "amount"))


@pytest.mark.django_db
def test_demo_week_records_exactly_what_the_partners_said(lan, hoa, frozen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tally = fill_demo_week(per_day=40, seed=7)

    assert tally["unexpected answer"] == 0
    assert tally["duplicate"] and tally["refund"] and tally["reversal"]
    assert recorded() == truth()
    verdicts = set(WebhookDelivery.objects.values_list("verdict", flat=True))
    assert verdicts == {"accepted", "duplicate", "rejected"}
    days = set(Transaction.objects.values_list("business_date", flat=True))
    assert days == {dt.date(2026, 11, 20) - dt.timedelta(days=n) for n in range(7)}
    assert max(Transaction.objects.values_list("completed_at", flat=True)) <= frozen
    refunds = Transaction.objects.filter(kind="refund")
    assert not [r for r in refunds if r.original_id is None]
    week = selectors.vendor_takings_by_day(lan, clock.today() - dt.timedelta(days=6), clock.today())
    assert sum(t.net for t in week.values()) == sum(
        t.amount if t.kind == "payment" else -t.amount
        for t in Transaction.objects.filter(vendor=lan, status="completed")
    )


@pytest.mark.django_db
def test_demo_week_runs_once(lan, frozen):
    fill_demo_week(per_day=5, days=1, seed=3)
    count = Transaction.objects.count()
    assert count

    assert not fill_demo_week(per_day=5, days=1, seed=3)
    assert Transaction.objects.count() == count


@pytest.mark.django_db(transaction=True)
def test_simulate_partners_over_http(live_server, lan, hoa, capsys):
    call_command("simulate_partners", url=live_server.url, count=80, rate=0, seed=11)

    out = capsys.readouterr().out
    assert "deliveries: 80" in out
    assert "unexpected answer" not in out
    assert WebhookDelivery.objects.count() == 80
    sent_ids = set(
        WebhookDelivery.objects.exclude(partner_transaction_id="").values_list("partner_transaction_id", flat=True)
    )
    assert recorded() <= truth()
    assert {row[1] for row in recorded()} == sent_ids
