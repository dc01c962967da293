"""One JSON line per delivery with its request id, delivery id and
transaction id, and the follow-up work's lines with the same transaction id;
no phone number, CCCD or payer name anywhere in them."""

import io
import json
import logging

import pytest

from core.logs import JsonLines
from payments import outbox
from payments.models import Transaction, WebhookDelivery
from tests.payments.kit import PATH, example, post, vnpt, vnpt_body
from tests.payments.test_server_path import serve

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines(settings):
    """What the configured console handler writes, as parsed JSON lines."""
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
    handler = next(h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonLines))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        handler.setStream(previous)


def answered(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["message"] == "webhook delivery answered"]


def test_a_delivery_through_the_server_logs_one_line_with_its_ids(lan, log_lines):
    headers, body = vnpt(vnpt_body())
    status, response_headers, _content = serve("POST", PATH["vnpt"], headers, body)

    assert status == 200
    (line,) = answered(log_lines())
    delivery = WebhookDelivery.objects.get()
    assert line["request_id"] == response_headers["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert (line["delivery_id"], line["transaction_id"]) == (delivery.pk, Transaction.objects.get().pk)
    assert (line["partner"], line["verdict"], line["status"], line["level"]) == ("vnpt", "accepted", 200, "INFO")
    assert line["time"].endswith("+00:00")


def test_the_callers_request_id_is_kept_and_a_forged_one_replaced(lan, log_lines):
    headers, body = vnpt(vnpt_body())
    serve("POST", PATH["vnpt"], {**headers, "X-Request-ID": "lb-7f3a-01"}, body)
    serve("POST", PATH["vnpt"], {**headers, "X-Request-ID": 'x" "level": "ERROR'}, body)

    first, second = answered(log_lines())
    assert first["request_id"] == "lb-7f3a-01"
    assert second["verdict"] == "duplicate"
    assert second["request_id"] != 'x" "level": "ERROR' and second["level"] == "INFO"


def test_follow_up_work_logs_with_the_deliverys_transaction_id(client, lan, log_lines):
    response = post(client, "vnpt", *example("vnpt"))
    outbox.drain()  # the test's transaction never commits, so nothing ran after it

    lines = log_lines()
    (line,) = answered(lines)
    assert line["request_id"] == response["X-Request-ID"]
    follow_up = [entry for entry in lines if entry["message"] == "follow-up event processed"]
    assert [entry["transaction_id"] for entry in follow_up] == [line["transaction_id"]]
    assert follow_up[0]["outbox_event_id"] > 0


def test_a_rejected_delivery_is_logged_with_its_id_and_no_personal_data(client, lan, log_lines):
    post(client, "vnpt", *example("vnpt"))
    post(client, "vnpt", *example("vnpt", key="wrong"))
    outbox.drain()

    lines = log_lines()
    accepted, rejected = answered(lines)
    assert (rejected["verdict"], rejected["status"], rejected["transaction_id"]) == ("rejected", 401, None)
    assert rejected["delivery_id"] == WebhookDelivery.objects.get(verdict="rejected").pk
    assert rejected["request_id"] != accepted["request_id"]
    text = json.dumps(lines, ensure_ascii=False)
    for personal in ("NGUYEN VAN A", "091****678", "0912345678", "Nguyễn Thị Lan", "092186000123"):
        assert personal not in text
