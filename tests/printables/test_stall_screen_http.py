"""The stall screen's helpers over HTTP: the amount check, the manifest, and
the stream's answer to a link that no longer stands."""

import asyncio
import json

import pytest

from merchants.models import VendorStatus
from printables.links import vendor_token
from tests.payments.kit import lan, partner_secrets, post, vnpt, vnpt_body  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db


def _pay(client, txn_id: str, amount: int) -> None:
    headers, body = vnpt(vnpt_body(txn_id, amount=amount), msg_id=f"msg_{txn_id}")
    assert post(client, "vnpt", headers, body).status_code == 200


def test_the_check_lists_recent_payments_of_the_claimed_amount(client, lan):
    _pay(client, "VNPT2612040000201", 45_000)
    _pay(client, "VNPT2612040000202", 50_000)
    found = client.get(f"/v/{vendor_token(lan)}/check", {"amount": "45.000 đ"}).json()
    assert [p["ref"] for p in found["found"]] == ["000201"]
    assert found["message"] == "Đã nhận 1 giao dịch 45.000 ₫ trong 15 phút qua:"
    assert "NGUYEN" not in json.dumps(found, ensure_ascii=False)


def test_the_check_says_plainly_when_nothing_arrived(client, lan):
    answer = client.get(f"/v/{vendor_token(lan)}/check", {"amount": "45000"}).json()
    assert answer["found"] == []
    assert answer["message"].startswith("Chưa nhận được khoản 45.000 ₫ nào trong 15 phút qua")


@pytest.mark.parametrize("typed", ["", "bốn lăm", "0", "-5", "1" * 13])
def test_the_check_names_the_field_of_a_bad_amount(client, lan, typed):
    answer = client.get(f"/v/{vendor_token(lan)}/check", {"amount": typed}).json()
    assert answer["error"].startswith("Số tiền: ")
    assert answer["found"] == []


def test_the_manifest_installs_the_screen_on_the_vendors_own_link(client, lan):
    token = vendor_token(lan)
    response = client.get(f"/v/{token}/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == f"/v/{token}/"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def _stream_once(path: str) -> tuple[int, bytes]:
    from market40.asgi import application
    from printables import stream

    sent: list[dict] = []

    async def receive() -> dict:
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}
    async def once() -> None:
        try:
            await asyncio.wait_for(application(scope, receive, send), 10)
        finally:
            await stream.PROCESS.feed.stop()  # its database connections end with the test

    asyncio.run(once())
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.mark.django_db(transaction=True)
def test_the_stream_of_a_closed_vendors_link_says_it_is_revoked(lan):
    token = vendor_token(lan)
    lan.status = VendorStatus.CLOSED
    lan.save()
    status, body = _stream_once(f"/stream/v/{token}/")
    assert status == 200
    assert body.startswith(b"event: revoked\n")


def test_the_web_app_does_not_serve_the_stream_itself(client, lan):
    assert client.get(f"/stream/v/{vendor_token(lan)}/").status_code == 503
