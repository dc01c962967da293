"""Bad input is answered with the partner's error and writes nothing but the log."""

import pytest

from payments.models import Transaction, WebhookDelivery
from tests.payments.kit import assert_malformed, mobifone, mobifone_body, post, viettel, viettel_fields, vnpt, vnpt_body

pytestmark = pytest.mark.django_db


def _without(mapping: dict, key: str) -> dict:
    return {k: v for k, v in mapping.items() if k != key}


def _vnpt_without(key: str) -> dict:
    return dict(vnpt_body(), data=_without(vnpt_body()["data"], key))


VNPT_CASES = {
    "not json": (b"{not json", None),
    "json list": (b"[1, 2]", None),
    "missing transaction_id": (
        dict(vnpt_body(), data=_without(vnpt_body()["data"], "transaction_id")),
        "transaction_id",
    ),
    "missing credit_account": (
        dict(vnpt_body(), data=_without(vnpt_body()["data"], "credit_account")),
        "credit_account",
    ),
    "float amount": (vnpt_body(amount=45000.5), "amount"),
    "whole float amount": (vnpt_body(amount=45000.0), "amount"),
    "string amount": (vnpt_body(amount="45000"), "amount"),
    "boolean amount": (vnpt_body(amount=True), "amount"),
    "zero amount": (vnpt_body(amount=0), "amount"),
    "negative amount": (vnpt_body(amount=-45000), "amount"),
    "unknown type": (vnpt_body(type="payment.pending"), "type"),
    "refund without original": (vnpt_body(type="payment.refunded"), "original_transaction_id"),
    "time without zone": (vnpt_body(completed_at="2026-11-20T08:15:29"), "completed_at"),
    "other currency": (vnpt_body(currency="USD"), "currency"),
    "missing data": ({"type": "payment.succeeded"}, "data"),
}


@pytest.mark.parametrize("case", list(VNPT_CASES))
def test_vnpt_malformed(client, case, lan):
    payload, field = VNPT_CASES[case]

    assert_malformed(post(client, "vnpt", *vnpt(payload)), "vnpt", field)


VIETTEL_CASES = {
    "missing trans_id": (_without(viettel_fields(), "trans_id"), "trans_id"),
    "missing receiver_account": (_without(viettel_fields(), "receiver_account"), "receiver_account"),
    "decimal amount": (viettel_fields(amount="45000.5"), "amount"),
    "zero amount": (viettel_fields(amount="0"), "amount"),
    "negative amount": (viettel_fields(amount="-45000"), "amount"),
    "words for amount": (viettel_fields(amount="bốn lăm nghìn"), "amount"),
    "number instead of string": (viettel_fields(amount=45000), "amount"),
    "unknown trans_type": (viettel_fields(trans_type="TOPUP"), "trans_type"),
    "refund without original": (viettel_fields(trans_type="REFUND"), "orig_trans_id"),
    "impossible time": (viettel_fields(trans_time="20261131081530"), "trans_time"),
    "short time": (viettel_fields(trans_time="202611200815"), "trans_time"),
}


@pytest.mark.parametrize("case", list(VIETTEL_CASES))
def test_viettel_malformed(client, case, lan):
    fields, field = VIETTEL_CASES[case]

    assert_malformed(post(client, "viettel", *viettel(fields)), "viettel", field)


def test_viettel_body_that_is_not_json(client, lan):
    assert_malformed(post(client, "viettel", {}, b"trans_id=1&amount=2"), "viettel")


MOBIFONE_CASES = {
    "not json": (b"\xff\xfe", None),
    "missing txn_ref": (dict(mobifone_body(), data=_without(mobifone_body()["data"], "txn_ref")), "txn_ref"),
    "missing receiver": (dict(mobifone_body(), data=_without(mobifone_body()["data"], "receiver")), "receiver"),
    "float amount": (mobifone_body(amount=45000.5), "amount"),
    "string amount": (mobifone_body(amount="45000"), "amount"),
    "zero amount": (mobifone_body(amount=0), "amount"),
    "negative amount": (mobifone_body(amount=-1), "amount"),
    "unknown status": (mobifone_body(status="PENDING"), "status"),
    "unknown event": (dict(mobifone_body(), event="REFUND"), "event"),
    "time as text": (mobifone_body(created_at="2026-11-20"), "created_at"),
}


@pytest.mark.parametrize("case", list(MOBIFONE_CASES))
def test_mobifone_malformed(client, case, lan):
    payload, field = MOBIFONE_CASES[case]

    assert_malformed(post(client, "mobifone", *mobifone(payload)), "mobifone", field)


@pytest.mark.parametrize(
    ("partner", "status"),
    [("vnpt", 413), ("viettel", 400), ("mobifone", 413)],
)
def test_body_over_64_kib_is_refused_unread(client, partner, status, lan):
    big = vnpt_body(description="x" * 70_000)
    headers, body = {"vnpt": vnpt, "mobifone": mobifone}.get(partner, lambda p: viettel(viettel_fields()))(big)
    if partner == "viettel":
        body = body[:-1] + b', "padding": "' + b"x" * 70_000 + b'"}'

    response = post(client, partner, headers, body)

    assert response.status_code == status
    assert not Transaction.objects.exists()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.verdict, delivery.body_size, bytes(delivery.body)) == ("rejected", len(body), b"")


def test_body_just_under_the_limit_is_read(client, lan):
    payload = vnpt_body(description="x" * 60_000)

    assert post(client, "vnpt", *vnpt(payload)).status_code == 200


def test_unknown_partner_is_404(client):
    response = client.post("/api/v1/webhooks/momo", b"{}", content_type="application/json")

    assert response.status_code == 404
    assert not WebhookDelivery.objects.exists()
