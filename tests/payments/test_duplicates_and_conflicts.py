"""A repeated delivery changes nothing; the same id with other content is a
conflict: answered per contract, raised as an alert, the original kept."""

import pytest

from payments.models import OutboxEvent, PaymentAlert, Transaction, WebhookDelivery
from tests.payments.kit import (
    PARTNERS,
    example,
    mobifone,
    mobifone_body,
    post,
    viettel,
    viettel_fields,
    vnpt,
    vnpt_body,
)

pytestmark = pytest.mark.django_db

CONFLICTING = {
    "vnpt": lambda: vnpt(vnpt_body(amount=450000), msg_id="msg_2"),
    "viettel": lambda: viettel(viettel_fields(amount="450000")),
    "mobifone": lambda: mobifone(mobifone_body(amount=450000)),
}


@pytest.mark.parametrize("partner", PARTNERS)
def test_repeated_delivery_is_a_duplicate_and_changes_nothing(client, partner, lan):
    post(client, partner, *example(partner))
    before = Transaction.objects.values().get()

    response = post(client, partner, *example(partner))

    assert response.status_code == 200
    if partner == "viettel":
        assert response.json()["code"] == "02"
    assert Transaction.objects.values().get() == before
    assert list(WebhookDelivery.objects.order_by("id").values_list("verdict", flat=True)) == ["accepted", "duplicate"]
    assert OutboxEvent.objects.count() == 1


@pytest.mark.parametrize("partner", PARTNERS)
def test_same_id_other_content_is_a_conflict_and_keeps_the_original(client, partner, lan):
    post(client, partner, *example(partner))

    response = post(client, partner, *CONFLICTING[partner]())

    # Viettel has a code for it; VNPT and MobiFone retry anything but 2xx,
    # and a retried conflict stays a conflict, so they get 200.
    if partner == "viettel":
        assert (response.status_code, response.json()["code"]) == (409, "04")
    else:
        assert response.status_code == 200
    assert Transaction.objects.get().amount == 45000
    alert = PaymentAlert.objects.get()
    assert alert.kind == "conflict"
    assert alert.detail == {"amount": [45000, 450000]}
    assert alert.delivery.verdict == "conflict"


def test_vnpt_retry_with_fresh_timestamp_is_a_duplicate(client, lan):
    first_headers, body = vnpt(vnpt_body())
    post(client, "vnpt", first_headers, body)
    retry_headers, _ = vnpt(body, ts=int(first_headers["webhook-timestamp"]) + 5)
    assert retry_headers["webhook-signature"] != first_headers["webhook-signature"]

    response = post(client, "vnpt", retry_headers, body)

    assert response.status_code == 200
    assert response.json()["result"] == "duplicate"


def test_same_instant_written_in_another_zone_is_not_a_conflict(client, lan):
    post(client, "vnpt", *vnpt(vnpt_body()))

    response = post(client, "vnpt", *vnpt(vnpt_body(completed_at="2026-11-20T01:15:29+00:00")))

    assert response.json()["result"] == "duplicate"
    assert not PaymentAlert.objects.exists()


def test_viettel_failed_then_completed_with_same_id_is_a_conflict(client, lan):
    post(client, "viettel", *viettel(viettel_fields(status="99")))

    response = post(client, "viettel", *viettel(viettel_fields(status="00")))

    assert (response.status_code, response.json()["code"]) == (409, "04")
    assert Transaction.objects.get().status == "failed"
