"""Deliveries written straight from docs/partners.md, independently of the
adapters, so the tests check the adapters against the contract itself."""

import base64
import hashlib
import hmac
import json
import time

import pytest

from merchants.models import Market, Vendor, WalletAccount
from payments.models import OutboxEvent, Transaction, WebhookDelivery

VNPT_KEY = b"vnpt-test-key-bytes"
VNPT_SECRET = "whsec_" + base64.b64encode(VNPT_KEY).decode()
VNPT_OLD_KEY = b"vnpt-previous-key"
VNPT_OLD_SECRET = "whsec_" + base64.b64encode(VNPT_OLD_KEY).decode()
VIETTEL_KEY = "viettel-access-key"
VIETTEL_OLD_KEY = "viettel-previous-key"
MOBIFONE_SECRET = "mobifone-secret"
MOBIFONE_OLD_SECRET = "mobifone-previous"

PATH = {"vnpt": "/api/v1/webhooks/vnpt", "viettel": "/api/v1/webhooks/viettel", "mobifone": "/api/v1/webhooks/mobifone"}


@pytest.fixture(autouse=True)
def partner_secrets(settings):
    settings.VNPT_WEBHOOK_SECRETS = [VNPT_SECRET, VNPT_OLD_SECRET]
    settings.VIETTEL_CHECKSUM_KEYS = [VIETTEL_KEY, VIETTEL_OLD_KEY]
    settings.MOBIFONE_WEBHOOK_SECRETS = [MOBIFONE_SECRET, MOBIFONE_OLD_SECRET]


def as_meta(headers: dict) -> dict:
    """Headers as the Django test client takes them."""
    out = {}
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        out[key if key == "CONTENT_TYPE" else "HTTP_" + key] = value
    return out


def post(client, partner: str, headers: dict, body: bytes):
    meta = as_meta(headers)
    meta.pop("CONTENT_TYPE", None)
    return client.generic("POST", PATH[partner], body, content_type="application/json", **meta)


def assert_malformed(response, partner: str, field: str | None = None) -> None:
    assert response.status_code == 400, response.content
    if partner == "viettel":
        assert response.json()["code"] == "01"
    assert not Transaction.objects.exists()
    assert not OutboxEvent.objects.exists()
    delivery = WebhookDelivery.objects.get()
    assert delivery.verdict == "rejected"
    if field:
        assert field in delivery.reason


# --- VNPT -----------------------------------------------------------------


def vnpt_body(
    txn_id="VNPT2611200000123",
    *,
    type="payment.succeeded",
    amount=45000,
    account="0912345678",
    reference="C4VK7M2Q9XA",
    original=None,
    completed_at="2026-11-20T08:15:29+07:00",
    **overrides,
) -> dict:
    data = {
        "transaction_id": txn_id,
        "original_transaction_id": original,
        "amount": amount,
        "currency": "VND",
        "bin": "971011",
        "credit_account": account,
        "reference": reference,
        "description": "Thanh toan rau cai",
        "payer": {"name": "NGUYEN VAN A", "account_masked": "091****678"},
        "completed_at": completed_at,
    }
    data.update(overrides)
    return {"type": type, "data": data}


def vnpt_sign(body: bytes, *, key: bytes = VNPT_KEY, msg_id="msg_1", ts: int | None = None) -> dict:
    ts = int(time.time()) if ts is None else ts
    mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": "v1," + base64.b64encode(mac).decode(),
    }


def vnpt(payload: dict | bytes, **sign) -> tuple[dict, bytes]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return vnpt_sign(body, **sign), body


# --- Viettel --------------------------------------------------------------


def viettel_fields(
    trans_id="VT26112008153012345",
    *,
    trans_type="PAYMENT",
    amount="45000",
    account="0987654321",
    ref="C4VK7M2Q9XA",
    orig="",
    trans_time="20261120081530",
    status="00",
    **overrides,
) -> dict:
    fields = {
        "merchant_code": "CT4VVT",
        "trans_id": trans_id,
        "trans_type": trans_type,
        "orig_trans_id": orig,
        "receiver_account": account,
        "amount": amount,
        "trans_time": trans_time,
        "ref_code": ref,
        "content": "Thanh toan",
        "status": status,
    }
    fields.update(overrides)
    return fields


def viettel(fields: dict, *, key: str = VIETTEL_KEY) -> tuple[dict, bytes]:
    signed = "&".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "check_sum")
    body = dict(fields, check_sum=hmac.new(key.encode(), signed.encode(), hashlib.sha256).hexdigest())
    return {}, json.dumps(body).encode()


# --- MobiFone -------------------------------------------------------------


def mobifone_body(
    txn_ref="MBF-20261120-000123",
    *,
    status="SUCCESS",
    amount=45000,
    account="0901234567",
    remark="C4VK7M2Q9XA Thanh toan",
    created_at=1795137329000,
    updated_at=None,
    **overrides,
) -> dict:
    data = {
        "txn_ref": txn_ref,
        "status": status,
        "amount": amount,
        "receiver": {"account_no": account, "name": "TRAN THI B"},
        "remark": remark,
        "created_at": created_at,
        "updated_at": created_at if updated_at is None else updated_at,
    }
    data.update(overrides)
    return {"event": "TRANSACTION_STATUS", "data": data}


def mobifone(payload: dict | bytes, *, secret: str = MOBIFONE_SECRET, ts: int | None = None) -> tuple[dict, bytes]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    ts = int(time.time()) if ts is None else ts
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return {"X-MBF-Timestamp": str(ts), "X-MBF-Signature": f"sha256={mac}"}, body


# --- vendors --------------------------------------------------------------


def make_vendor(market: Market, *, stall: str, reference: str, accounts: dict[str, str]) -> Vendor:
    vendor = Vendor.objects.create(
        code="TT" + reference[-6:],
        market=market,
        stall_number=stall,
        full_name="Nguyễn Thị Lan",
        phone="0912345678",
        national_id="092186000123",
        category="rau-cu",
        status="active",
        payment_reference=reference,
        consent_version="2026-01",
        consent_recorded_at="2026-11-01T08:00:00+07:00",
    )
    for partner, number in accounts.items():
        WalletAccount.objects.create(vendor=vendor, partner=partner, account_number=number)
    return vendor


@pytest.fixture
def lan(market_a) -> Vendor:
    """The vendor the contract's examples pay: one account at each partner."""
    return make_vendor(
        market_a,
        stall="A-012",
        reference="C4VK7M2Q9XA",
        accounts={"vnpt": "0912345678", "viettel": "0987654321", "mobifone": "0901234567"},
    )


@pytest.fixture
def hoa(market_b) -> Vendor:
    return make_vendor(
        market_b,
        stall="B-001",
        reference="C4HH8N3R4PB",
        accounts={"vnpt": "0911111111", "viettel": "0981111111", "mobifone": "0901111111"},
    )


# --- any partner ----------------------------------------------------------

KEYS = {
    "vnpt": {"current": VNPT_KEY, "old": VNPT_OLD_KEY, "wrong": b"not-our-key"},
    "viettel": {"current": VIETTEL_KEY, "old": VIETTEL_OLD_KEY, "wrong": "not-our-key"},
    "mobifone": {"current": MOBIFONE_SECRET, "old": MOBIFONE_OLD_SECRET, "wrong": "not-our-key"},
}
PARTNERS = ["vnpt", "viettel", "mobifone"]
TXN_ID = {"vnpt": "VNPT2611200000123", "viettel": "VT26112008153012345", "mobifone": "MBF-20261120-000123"}


def example(partner: str, *, key: str = "current", ts_offset: int = 0, payload=None) -> tuple[dict, bytes]:
    """The contract's example delivery of a partner, signed with one of its keys."""
    secret = KEYS[partner][key]
    ts = int(time.time()) + ts_offset
    if partner == "vnpt":
        return vnpt(payload or vnpt_body(), key=secret, ts=ts)
    if partner == "viettel":
        return viettel(payload or viettel_fields(), key=secret)
    return mobifone(payload or mobifone_body(), secret=secret, ts=ts)
