"""The rollups stay equal to a full recomputation from raw transactions,
whatever order transactions, refunds, reversals and late arrivals come in,
and the nightly check reports (and repairs) any drift."""

import datetime as dt
import random

import pytest
from django.core.management import CommandError, call_command

from adoption import selectors, services, tasks
from adoption.api import report_out
from adoption.models import MarketDay, MarketPartnerDay, RollupCheck, RollupDay, VendorDay
from adoption.sources import TRANSACTIONS
from core import clock
from merchants.models import Market
from payments.models import Transaction
from tests.adoption.kit import NOW, change_status, make_vendor, record

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


@pytest.fixture
def moving_clock(monkeypatch) -> Clock:
    holder = Clock(NOW - dt.timedelta(days=45))
    monkeypatch.setattr(clock, "now", holder)
    return holder


def _random_history(rng: random.Random, moving_clock: Clock, steps: int) -> None:
    markets = list(Market.objects.order_by("code")[:3])
    vendors = [make_vendor(markets[n % 3], partners=("vnpt", "viettel", "mobifone")) for n in range(7)]
    payments: list[Transaction] = []
    for _step in range(steps):
        before = moving_clock.moment.date()
        moving_clock.moment += dt.timedelta(minutes=rng.randint(10, 900))
        if moving_clock.moment.date() != before and rng.random() < 0.7:
            tasks.open_today()  # the beat; sometimes it does not run and readers open the day
        action = rng.random()
        # Late arrivals up to five days back, settlement files included.
        at = moving_clock.moment - dt.timedelta(minutes=rng.randint(0, 5 * 24 * 60))
        vendor = rng.choice(vendors)
        partner = rng.choice(["vnpt", "viettel", "mobifone"])
        if action < 0.6 or not payments:
            status = "failed" if rng.random() < 0.1 else "completed"
            payments.append(record(vendor, amount=rng.randint(1, 500) * 1000, at=at, partner=partner, status=status))
        elif action < 0.75:
            paid = rng.choice(payments)
            record(
                paid.vendor,
                amount=paid.amount // 2 or 1,
                at=moving_clock.moment,
                partner=paid.partner,
                kind="refund",
                original=paid,
            )
        elif action < 0.9:
            change_status(rng.choice(payments), rng.choice(["reversed", "completed", "failed"]))
        else:
            # A retried follow-up of a transaction already counted.
            txn = rng.choice(payments)
            services.rollup_transaction_recorded(transaction_id=txn.pk)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_a_full_recomputation_after_random_traffic(moving_clock, seed):
    _random_history(random.Random(seed), moving_clock, steps=160)

    check = services.rollups_check(repair=False)

    assert check.rows_checked > 0
    assert check.drift_rows == 0, check.details
    period = selectors.period_for(day=clock.today(), period="month")
    assert report_out(selectors.adoption_report(period=period)) == report_out(
        selectors.adoption_report(period=period, source=TRANSACTIONS)
    )
    assert VendorDay.objects.filter(payments_count__gt=0).exists()


def test_nightly_check_reports_drift_and_repairs_it(moving_clock, caplog):
    _random_history(random.Random(7), moving_clock, steps=60)
    row = MarketPartnerDay.objects.filter(payments_count__gt=0).first()
    MarketPartnerDay.objects.filter(pk=row.pk).update(payments_amount=row.payments_amount + 1)
    opened = RollupDay.objects.values("day")
    MarketDay.objects.filter(transacting_30d__gt=0, day__in=opened).order_by("day").first().delete()

    drift = tasks.nightly_check()

    check = RollupCheck.objects.get()
    assert drift == check.drift_rows == 2
    assert check.details["market_partner_days"]["differences"] == 1
    assert check.details["market_partner_days"]["examples"][0]["fresh"][1] == row.payments_amount
    assert check.details["market_days"]["differences"] == 1
    assert check.repaired
    assert "drifted" in caplog.text
    assert services.rollups_check().drift_rows == 0


def test_recompute_command_rebuilds_from_nothing_and_check_exits_on_drift(moving_clock, capsys):
    _random_history(random.Random(11), moving_clock, steps=40)
    expected = sorted(
        MarketPartnerDay.objects.filter(payments_count__gt=0).values_list(
            "market_id", "partner", "day", "payments_count", "payments_amount", "refunds_amount"
        )
    )
    MarketPartnerDay.objects.all().delete()
    VendorDay.objects.all().delete()
    MarketDay.objects.all().delete()

    with pytest.raises(CommandError, match="differ"):
        call_command("recompute_rollups", "--check", "--no-repair")
    call_command("recompute_rollups")

    rebuilt = sorted(
        MarketPartnerDay.objects.filter(payments_count__gt=0).values_list(
            "market_id", "partner", "day", "payments_count", "payments_amount", "refunds_amount"
        )
    )
    assert rebuilt == expected
    capsys.readouterr()  # only the check's own line below
    call_command("recompute_rollups", "--check")
    assert capsys.readouterr().out.rstrip().endswith(": 0 differ")
