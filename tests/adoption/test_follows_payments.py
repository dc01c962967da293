"""Rollups follow real webhook deliveries: intake records, the outbox runs the
follow-up, and the rollups change: payments, refunds, reversals, midnight."""

import datetime as dt

import pytest

from adoption import services
from adoption.models import MarketPartnerDay, VendorDay
from tests.payments.kit import lan, mobifone, mobifone_body, partner_secrets, post, vnpt, vnpt_body  # noqa: F401

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 20)


def _rollup(market, partner: str, day: dt.date = DAY) -> tuple:
    row = MarketPartnerDay.objects.filter(market=market, partner=partner, day=day).first()
    return (row.payments_count, row.payments_amount, row.refunds_count, row.refunds_amount) if row else None


def test_payment_refund_and_reversal_reach_the_rollups(client, lan, django_capture_on_commit_callbacks):
    created = 1795137329000
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "vnpt", *vnpt(vnpt_body(), msg_id="m1"))
        refund = vnpt_body("VNPT2611200000456", type="payment.refunded", original="VNPT2611200000123", amount=5000)
        post(client, "vnpt", *vnpt(refund, msg_id="m2"))
        post(client, "mobifone", *mobifone(mobifone_body(amount=30000)))

    assert _rollup(lan.market, "vnpt") == (1, 45000, 1, 5000)
    assert _rollup(lan.market, "mobifone") == (1, 30000, 0, 0)

    with django_capture_on_commit_callbacks(execute=True):
        reversed_later = mobifone_body(amount=30000, status="REVERSED", created_at=created, updated_at=created + 60_000)
        post(client, "mobifone", *mobifone(reversed_later))

    assert _rollup(lan.market, "mobifone") == (0, 0, 0, 0)
    activity = VendorDay.objects.get(vendor=lan, day=DAY)
    assert (activity.payments_count, activity.payments_amount, activity.refunds_amount) == (1, 45000, 5000)
    assert services.rollups_check(repair=False).drift_rows == 0


def test_a_payment_belongs_to_its_local_business_date(client, lan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "vnpt", *vnpt(vnpt_body("VNPT1", completed_at="2026-11-20T23:59:59+07:00"), msg_id="a"))
        post(client, "vnpt", *vnpt(vnpt_body("VNPT2", completed_at="2026-11-21T00:00:00+07:00"), msg_id="b"))

    assert _rollup(lan.market, "vnpt", DAY) == (1, 45000, 0, 0)
    assert _rollup(lan.market, "vnpt", DAY + dt.timedelta(days=1)) == (1, 45000, 0, 0)
