"""Hostile deliveries that once answered 500 (found by `make proof`'s webhook
fuzz): each is now a clean rejection in the partner's format, logged once."""

import io
import json

import pytest

from payments.models import Transaction, WebhookDelivery
from tests.payments.kit import (
    assert_malformed,
    mobifone,
    mobifone_body,
    post,
    viettel,
    viettel_fields,
    vnpt,
    vnpt_body,
    vnpt_sign,
)

pytestmark = pytest.mark.django_db

DEEP = b"[" * 5000 + b"]" * 5000


def test_json_nested_deeper_than_the_decoder_is_malformed_when_signed(client, lan):
    assert_malformed(post(client, "vnpt", *vnpt(DEEP)), "vnpt")


def test_json_nested_deeper_than_the_decoder_is_malformed_before_viettels_checksum(client, lan):
    body = b'{"check_sum": "x", "amount": ' + DEEP + b"}"

    assert_malformed(post(client, "viettel", {}, body), "viettel")


@pytest.mark.parametrize("text", ["\x00", "a\x00b", "\ud800", "\udfff\ud800"])
def test_nul_or_half_a_surrogate_pair_in_a_signed_field_is_malformed(client, lan, text):
    body = json.dumps(vnpt_body(description=text)).encode()  # ASCII escapes: \u0000, \ud800

    assert_malformed(post(client, "vnpt", *vnpt(body)), "vnpt")


def test_unstorable_key_is_malformed_before_viettels_checksum(client, lan):
    """The key would have been named in the logged reason, which PostgreSQL refuses."""
    fields = dict(viettel_fields(), check_sum="x")
    body = json.dumps(fields)[:-1].encode() + b', "\\ud800": 1, "k\\u0000": 2}'

    assert_malformed(post(client, "viettel", {}, body), "viettel")


def test_an_emoji_written_as_an_escaped_surrogate_pair_is_still_accepted(client, lan):
    body = json.dumps(vnpt_body(description="Rau \U0001f96c")).encode()
    assert b"\\ud83e\\udd6c" in body

    assert post(client, "vnpt", *vnpt(body)).status_code == 200
    assert Transaction.objects.get().partner_transaction_id == "VNPT2611200000123"


def test_vnpt_type_that_is_not_a_string_is_malformed(client, lan):
    assert_malformed(post(client, "vnpt", *vnpt(dict(vnpt_body(), type=["payment.succeeded"]))), "vnpt", "type")


def test_mobifone_status_that_is_not_a_string_is_malformed(client, lan):
    assert_malformed(post(client, "mobifone", *mobifone(mobifone_body(status={"a": 1}))), "mobifone", "status")


@pytest.mark.parametrize("timestamp", ["²³¹", "9" * 5000])
@pytest.mark.parametrize("partner", ["vnpt", "mobifone"])
def test_signed_timestamp_that_is_not_plain_seconds_is_refused(client, lan, partner, timestamp):
    body = json.dumps(vnpt_body() if partner == "vnpt" else mobifone_body()).encode()
    # Signed over the text the server sees: WSGI hands header bytes over as
    # latin-1, so the byte 0xB2 arrives as "²", which str.isdigit() takes.
    headers = vnpt_sign(body, ts=timestamp) if partner == "vnpt" else mobifone(body, ts=timestamp)[0]

    response = post(client, partner, headers, body)

    assert response.status_code == 401
    assert WebhookDelivery.objects.get().verdict == "rejected"
    assert not Transaction.objects.exists()


@pytest.mark.parametrize(
    ("partner", "make", "field"),
    [
        ("vnpt", lambda: vnpt(vnpt_body(completed_at="0001-01-01T00:00:00+07:00")), "completed_at"),
        ("vnpt", lambda: vnpt(vnpt_body(completed_at="9999-12-31T23:59:59-07:00")), "completed_at"),
        ("viettel", lambda: viettel(viettel_fields(trans_time="00010101000000")), "trans_time"),
        ("mobifone", lambda: mobifone(mobifone_body(created_at=253402300799999)), "created_at"),
        ("mobifone", lambda: mobifone(mobifone_body(updated_at=253402300799999)), "updated_at"),
    ],
)
def test_moment_at_the_end_of_the_calendar_is_malformed(client, lan, partner, make, field):
    assert_malformed(post(client, partner, *make()), partner, field)


def _chunked(client, partner: str, headers: dict, body: bytes):
    """A body sent with Transfer-Encoding: chunked, as the web server hands it over:
    no CONTENT_LENGTH, and a stream that ends where the body ends."""
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    meta.update({"CONTENT_LENGTH": "", "wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True})
    return client.generic("POST", f"/api/v1/webhooks/{partner}", b"", content_type="application/json", **meta)


def test_a_signed_delivery_sent_chunked_is_read_and_accepted(client, lan):
    response = _chunked(client, "vnpt", *vnpt(vnpt_body()))

    assert response.status_code == 200, response.content
    assert Transaction.objects.get().amount == 45000


def test_an_oversized_body_sent_chunked_is_refused_as_too_large(client, lan):
    headers, body = vnpt(vnpt_body(description="x" * 70_000))

    response = _chunked(client, "vnpt", headers, body)

    assert response.status_code == 413
    assert not Transaction.objects.exists()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.verdict, bytes(delivery.body)) == ("rejected", b"")
    assert delivery.body_size > 64 * 1024
