"""Every delivery is logged; operators read the log and replay a delivery."""

import base64

import pytest
from django.core.management import call_command

from core.models import AuditEntry
from payments.models import Transaction, WebhookDelivery
from tests.payments.kit import VNPT_KEY, post, vnpt, vnpt_body

pytestmark = pytest.mark.django_db


def test_log_keeps_headers_and_raw_body(api_for, client, operator, lan):
    headers, body = vnpt(vnpt_body())
    post(client, "vnpt", headers, body)

    items = api_for(operator).get("/api/v1/webhook-deliveries", {"partner": "vnpt"}).json()["items"]

    assert len(items) == 1
    assert items[0]["body"].encode() == body
    assert items[0]["headers"]["Webhook-Id"] == "msg_1"
    assert (items[0]["verdict"], items[0]["response_status"]) == ("accepted", 200)


def test_log_is_operators_only(api_for, board_a):
    assert api_for(board_a).get("/api/v1/webhook-deliveries").status_code == 403


def test_delivery_rejected_for_a_missing_secret_is_recorded_by_replay(api_for, client, operator, lan, settings):
    settings.VNPT_WEBHOOK_SECRETS = ["whsec_" + base64.b64encode(b"some-other-key").decode()]
    post(client, "vnpt", *vnpt(vnpt_body()))
    rejected = WebhookDelivery.objects.get()
    assert rejected.verdict == "rejected"
    # The secret the partner signed with is configured afterwards.
    settings.VNPT_WEBHOOK_SECRETS = ["whsec_" + base64.b64encode(VNPT_KEY).decode()]

    response = api_for(operator).post(f"/api/v1/webhook-deliveries/{rejected.pk}/replay")

    assert response.status_code == 200, response.content
    assert (response.json()["verdict"], response.json()["replay_of_id"]) == ("accepted", rejected.pk)
    assert Transaction.objects.get().partner_transaction_id == "VNPT2611200000123"
    assert WebhookDelivery.objects.get(pk=rejected.pk).verdict == "rejected"
    assert AuditEntry.objects.filter(action="webhook_delivery.replay", actor=operator).exists()


def test_replay_of_an_accepted_delivery_is_a_duplicate(client, operator, lan):
    post(client, "vnpt", *vnpt(vnpt_body()))
    original = WebhookDelivery.objects.get()

    call_command("replay_delivery", str(original.pk), "--operator", operator.username)

    replay = WebhookDelivery.objects.exclude(pk=original.pk).get()
    assert (replay.verdict, replay.replay_of, replay.replayed_by) == ("duplicate", original, operator)
    assert Transaction.objects.count() == 1


def test_deliveries_cannot_be_edited(client, lan):
    post(client, "vnpt", *vnpt(vnpt_body()))
    delivery = WebhookDelivery.objects.get()
    delivery.reason = "sửa"

    with pytest.raises(RuntimeError):
        delivery.save()
