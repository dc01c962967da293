"""Deliveries through the server's WSGI application, where they skip the
middleware chain: the same answers and records as through the API router,
and everything else still handled by the full application."""

import io
import json

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection

from market40.wsgi import application
from payments.models import Transaction, WebhookDelivery
from payments.webhook_http import with_webhook_intake
from tests.payments.kit import PATH, as_meta, post, vnpt, vnpt_body

pytestmark = pytest.mark.django_db


def serve(method: str, path: str, headers: dict | None = None, body: bytes = b"", host: str = "testserver", app=None):
    """One request through `market40.wsgi.application`, as the web server calls it."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "80",
        "HTTP_HOST": host,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        **as_meta(headers or {}),
    }
    started: dict = {}

    def start_response(status, response_headers):
        started["status"] = int(status.split()[0])
        started["headers"] = dict(response_headers)

    # As Django's test client does: the test's transaction must outlive the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        response = (app or application)(environ, start_response)
        content = b"".join(response)
        response.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return started["status"], started["headers"], content


def test_signed_delivery_is_recorded_with_the_contract_answer(lan):
    headers, body = vnpt(vnpt_body())
    status, response_headers, content = serve("POST", PATH["vnpt"], headers, body)
    assert status == 200
    assert json.loads(content) == {"received": True, "result": "accepted"}
    assert response_headers["Content-Type"] == "application/json"
    assert response_headers["Content-Length"] == str(len(content))
    assert response_headers["X-Content-Type-Options"] == "nosniff"
    txn = Transaction.objects.get()
    assert (txn.partner_transaction_id, txn.amount, txn.vendor) == ("VNPT2611200000123", 45000, lan)
    delivery = WebhookDelivery.objects.get()
    assert delivery.verdict == "accepted" and delivery.transaction == txn
    assert delivery.headers["Webhook-Id"] == "msg_1"


def test_repeat_answers_exactly_as_the_api_router_does(client, lan):
    headers, body = vnpt(vnpt_body())
    serve("POST", PATH["vnpt"], headers, body)
    status, _headers, content = serve("POST", PATH["vnpt"], headers, body)
    routed = post(client, "vnpt", headers, body)
    assert (status, json.loads(content)) == (routed.status_code, routed.json())
    assert routed.json()["result"] == "duplicate"
    assert Transaction.objects.count() == 1
    assert WebhookDelivery.objects.filter(verdict="duplicate").count() == 2


def test_bad_signature_gets_the_partner_error_and_only_a_log_row(lan):
    headers, body = vnpt(vnpt_body())
    status, _headers, content = serve("POST", PATH["vnpt"], headers, body.replace(b"45000", b"45001"))
    assert status == 401, content
    assert not Transaction.objects.exists()
    assert WebhookDelivery.objects.get().verdict == "rejected"


def test_reasons_are_written_in_vietnamese(lan):
    headers, body = vnpt(b"{not json")
    status, _headers, _content = serve("POST", PATH["vnpt"], headers, b"{not json")
    assert status == 400
    assert "JSON" in WebhookDelivery.objects.get().reason
    assert "không" in WebhookDelivery.objects.get().reason.lower()


def test_other_requests_go_through_the_full_application():
    assert serve("POST", "/api/v1/webhooks/zalopay")[0] == 404
    assert serve("GET", PATH["vnpt"])[0] == 405
    assert serve("GET", "/api/v1/health")[0] == 200
    assert not WebhookDelivery.objects.exists()


def test_unknown_host_is_refused_before_anything_is_written(lan):
    headers, body = vnpt(vnpt_body())
    status, _headers, _content = serve("POST", PATH["vnpt"], headers, body, host="evil.example")
    assert status == 400
    assert not WebhookDelivery.objects.exists()


def test_https_redirect_still_applies(settings, lan):
    settings.SECURE_SSL_REDIRECT = True
    app = with_webhook_intake(get_wsgi_application())  # middleware reads the setting when loaded
    headers, body = vnpt(vnpt_body())
    status, response_headers, _content = serve("POST", PATH["vnpt"], headers, body, app=app)
    assert status == 301
    assert response_headers["Location"].startswith("https://")
    assert not WebhookDelivery.objects.exists()
    assert serve("GET", "/api/v1/health", app=app)[0] == 301


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_delivery_after_the_database_connection_was_replaced_is_recorded(lan):
    """Intake keeps a cursor per connection; a new connection (a dropped one,
    or one past its age) must get a new cursor, not the old one's."""
    first_headers, first_body = vnpt(vnpt_body("VNPT-BEFORE"))
    assert serve("POST", PATH["vnpt"], first_headers, first_body)[0] == 200

    connection.close()
    second_headers, second_body = vnpt(vnpt_body("VNPT-AFTER"))
    status, _headers, content = serve("POST", PATH["vnpt"], second_headers, second_body)

    assert (status, json.loads(content)["result"]) == (200, "accepted")
    ids = Transaction.objects.order_by("partner_transaction_id").values_list("partner_transaction_id", flat=True)
    assert list(ids) == ["VNPT-AFTER", "VNPT-BEFORE"]
