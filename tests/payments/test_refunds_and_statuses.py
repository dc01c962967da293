"""Refunds, reversals out of order, and failed transactions that are not money."""

import datetime as dt

import pytest
from django.core.management import call_command

from payments import selectors
from payments.models import Transaction, WebhookDelivery
from tests.payments.kit import mobifone, mobifone_body, post, viettel, viettel_fields, vnpt, vnpt_body

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 20)
REFUND = vnpt_body("VNPT2611200000456", type="payment.refunded", original="VNPT2611200000123", reference=None)


def test_vnpt_refund_after_payment_is_linked_and_nets_the_takings(client, lan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "vnpt", *vnpt(vnpt_body(), msg_id="m1"))
        response = post(client, "vnpt", *vnpt(REFUND, msg_id="m2"))

    assert response.status_code == 200
    refund = Transaction.objects.get(partner_transaction_id="VNPT2611200000456")
    assert (refund.kind, refund.original.partner_transaction_id, refund.vendor) == ("refund", "VNPT2611200000123", lan)
    takings = selectors.vendor_takings(lan, DAY)
    assert (takings.payments, takings.gross, takings.refunds, takings.net) == (1, 45000, 45000, 0)


def test_refund_before_its_payment_is_held_then_linked(client, lan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "vnpt", *vnpt(REFUND, msg_id="m2"))
    held = Transaction.objects.get()
    assert held.is_held_refund

    with django_capture_on_commit_callbacks(execute=True):
        post(client, "vnpt", *vnpt(vnpt_body(), msg_id="m1"))

    held.refresh_from_db()
    assert held.original.partner_transaction_id == "VNPT2611200000123"


def test_held_refund_is_linked_by_the_outbox_drain_when_tasks_never_ran(client, lan):
    # Without on-commit callbacks (as when the broker is down) the events
    # wait in the outbox; draining it links the refund.
    post(client, "vnpt", *vnpt(REFUND, msg_id="m2"))
    post(client, "vnpt", *vnpt(vnpt_body(), msg_id="m1"))
    assert Transaction.objects.get(kind="refund").original is None

    call_command("process_outbox")

    assert Transaction.objects.get(kind="refund").original.kind == "payment"


def test_viettel_refund_names_its_payment(client, lan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "viettel", *viettel(viettel_fields()))
        post(
            client,
            "viettel",
            *viettel(viettel_fields("VT2611200900", trans_type="REFUND", orig="VT26112008153012345", amount="20000")),
        )

    refund = Transaction.objects.get(kind="refund")
    assert (refund.amount, refund.original.partner_transaction_id) == (20000, "VT26112008153012345")
    assert selectors.vendor_takings(lan, DAY).net == 25000


def test_viettel_failed_transaction_is_recorded_but_not_money(client, lan):
    response = post(client, "viettel", *viettel(viettel_fields(status="13")))

    assert response.json()["code"] == "00"
    txn = Transaction.objects.get()
    assert (txn.status, txn.partner_status) == ("failed", "13")
    assert selectors.vendor_takings(lan, DAY).gross == 0
    assert not selectors.completed_payments(day=DAY).exists()


T0 = 1795137329000


def test_mobifone_reversal_is_a_later_status_of_the_same_transaction(client, lan):
    post(client, "mobifone", *mobifone(mobifone_body(updated_at=T0)))

    response = post(client, "mobifone", *mobifone(mobifone_body(status="REVERSED", updated_at=T0 + 60_000)))

    assert response.json() == {"received": True}
    txn = Transaction.objects.get()
    assert txn.status == "reversed"
    assert selectors.vendor_takings(lan, DAY).gross == 0
    assert WebhookDelivery.objects.order_by("-id").first().verdict == "accepted"


def test_mobifone_older_status_arriving_late_changes_nothing(client, lan):
    post(client, "mobifone", *mobifone(mobifone_body(status="REVERSED", updated_at=T0 + 60_000)))

    response = post(client, "mobifone", *mobifone(mobifone_body(status="SUCCESS", updated_at=T0)))

    assert response.status_code == 200
    txn = Transaction.objects.get()
    assert (txn.status, txn.status_updated_at.timestamp()) == ("reversed", (T0 + 60_000) / 1000)
    assert WebhookDelivery.objects.order_by("-id").first().verdict == "duplicate"
    assert selectors.vendor_takings(lan, DAY).gross == 0


def test_mobifone_failed_then_success_later_counts(client, lan):
    post(client, "mobifone", *mobifone(mobifone_body(status="FAILED", updated_at=T0)))
    post(client, "mobifone", *mobifone(mobifone_body(status="SUCCESS", updated_at=T0 + 1000)))

    assert selectors.vendor_takings(lan, DAY).gross == 45000


def test_mobifone_two_statuses_with_the_same_update_time_are_a_conflict(client, lan):
    post(client, "mobifone", *mobifone(mobifone_body(status="SUCCESS", updated_at=T0)))

    post(client, "mobifone", *mobifone(mobifone_body(status="FAILED", updated_at=T0)))

    assert Transaction.objects.get().status == "completed"
    assert WebhookDelivery.objects.order_by("-id").first().verdict == "conflict"


def test_business_date_is_the_local_day(client, lan):
    # 23:30 on the 20th in UTC is 06:30 on the 21st in Cần Thơ.
    post(client, "vnpt", *vnpt(vnpt_body(completed_at="2026-11-20T23:30:00+00:00")))

    txn = Transaction.objects.get()
    assert txn.business_date == dt.date(2026, 11, 21)
    assert txn.completed_at.tzinfo is not None


def test_refund_after_its_payment_names_it_as_soon_as_it_is_recorded(client, lan):
    # No follow-up work runs here: the link comes from intake itself.
    post(client, "vnpt", *vnpt(vnpt_body(), msg_id="m1"))
    response = post(client, "vnpt", *vnpt(REFUND, msg_id="m2"))

    assert response.status_code == 200
    refund = Transaction.objects.get(partner_transaction_id="VNPT2611200000456")
    assert refund.original == Transaction.objects.get(partner_transaction_id="VNPT2611200000123")
