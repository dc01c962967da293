"""The delivery log is partitioned by month on PostgreSQL: each delivery
lands in its month's partition, the nightly retention pass creates next
month's partition ahead of time (moving any row the DEFAULT partition caught
for it) and detaches whole months past the accounting period, unless a kept
row still points into them."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from core import clock
from payments import partitions
from payments.models import PaymentAlert, WebhookDelivery
from tests.reconciliation.kit import lan, record  # noqa: F401 — lan is a fixture

pytestmark = pytest.mark.django_db


def moment(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 10, 0, tzinfo=clock.BUSINESS_TZ)


@pytest.fixture
def at(monkeypatch):
    def move(when: dt.datetime) -> dt.datetime:
        monkeypatch.setattr(clock, "now", lambda: when)
        return when

    return move


def delivered(at, vendor, when: dt.datetime, txn_id: str) -> WebhookDelivery:
    at(when)
    record("vnpt", txn_id, 45000, when, vendor=vendor)
    return WebhookDelivery.objects.get(partner_transaction_id=txn_id)


def partition_of(delivery: WebhookDelivery) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM payments_webhookdelivery WHERE id = %s", [delivery.pk])
        return cursor.fetchone()[0]


def retention(*args: str) -> dict:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return json.loads(out.getvalue())


def month(year: int, number: int) -> partitions.Month:
    return partitions.Month(dt.date(year, number, 1))


def test_the_delivery_log_is_range_partitioned_by_month_with_a_default():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.partstrat, a.attname FROM pg_partitioned_table p "
            "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
            "WHERE p.partrelid = 'payments_webhookdelivery'::regclass"
        )
        assert cursor.fetchone() == ("r", "received_at")
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'payments_webhookdelivery'::regclass AND contype = 'p'"
        )
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, received_at)"
    current = partitions.Month.of(dt.datetime.now(tz=clock.BUSINESS_TZ))
    attached = partitions.partitions()
    assert {current.name, current.next().name, partitions.DEFAULT} <= set(attached)


def test_deliveries_of_two_months_land_in_their_own_partitions(at, lan):
    at(moment(2026, 12, 4))
    retention()  # December and January exist, whatever day the database was made
    december = delivered(at, lan, moment(2026, 12, 31), "VNPT-DEC-1")
    january = delivered(at, lan, moment(2027, 1, 2), "VNPT-JAN-1")
    assert partition_of(december) == "payments_webhookdelivery_y2026m12"
    assert partition_of(january) == "payments_webhookdelivery_y2027m01"
    # Midnight in Hà Nội, not UTC, starts a month: 00:30 on 1 January is January.
    assert month(2027, 1).bounds()[0] == dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)
    assert list(WebhookDelivery.objects.filter(pk__in=[december.pk, january.pk])) == [january, december]


def test_the_nightly_pass_creates_next_months_partition_ahead_and_moves_what_default_caught(at, lan):
    far = moment(2031, 3, 20)
    early = delivered(at, lan, far, "VNPT-MAR-1")  # no partition yet: the DEFAULT one takes it
    assert partition_of(early) == partitions.DEFAULT

    at(far)
    assert retention("--dry-run")["delivery_partitions_created"] == [month(2031, 3).name, month(2031, 4).name]
    assert month(2031, 4).name not in partitions.partitions()

    report = retention()
    assert report["delivery_partitions_created"] == [month(2031, 3).name, month(2031, 4).name]
    assert partition_of(early) == month(2031, 3).name
    assert WebhookDelivery.objects.get(pk=early.pk).body == early.body
    assert retention()["delivery_partitions_created"] == []
    assert partition_of(delivered(at, lan, moment(2031, 4, 1), "VNPT-APR-1")) == month(2031, 4).name


def test_months_past_the_accounting_period_are_detached_unless_still_referenced(at, lan):
    old = delivered(at, lan, moment(2016, 5, 10), "VNPT-2016-1")
    kept = delivered(at, lan, moment(2016, 6, 10), "VNPT-2016-2")
    at(moment(2026, 12, 4))
    with connection.cursor() as cursor:
        partitions.month_create(cursor, month(2016, 5))
        partitions.month_create(cursor, month(2016, 6))
    # An alert kept about June's delivery holds June in the log.
    PaymentAlert.objects.create(
        kind="conflict",
        partner="vnpt",
        partner_transaction_id="VNPT-2016-2",
        transaction=kept.transaction,
        delivery=kept,
        created_at=clock.now(),
    )

    assert retention("--dry-run")["delivery_partitions_detached"] == [month(2016, 5).name, month(2016, 6).name]
    assert WebhookDelivery.objects.filter(pk=old.pk).exists()

    assert retention()["delivery_partitions_detached"] == [month(2016, 5).name]
    assert not WebhookDelivery.objects.filter(pk=old.pk).exists()
    assert WebhookDelivery.objects.filter(pk=kept.pk).exists()
    with connection.cursor() as cursor:  # a plain table now, for the operator to archive and drop
        cursor.execute(f"SELECT count(*) FROM {month(2016, 5).name}")  # noqa: S608
        assert cursor.fetchone()[0] == 1
    assert month(2016, 5).name not in partitions.partitions()
