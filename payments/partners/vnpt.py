"""VNPT Money: a Standard Webhooks envelope (docs/partners.md)."""

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping

from django.utils.translation import gettext as _

from core.clock import BUSINESS_TZ
from core.partners import Partner, partner_bin
from core.privacy import mask_payer
from payments.models import Kind, Status
from payments.partners import base
from payments.partners.base import Notice, Rejected, Reply

TYPES = {"payment.succeeded": Kind.PAYMENT, "payment.refunded": Kind.REFUND}
TYPE_OF_KIND: dict[str, str] = {kind: name for name, kind in TYPES.items()}


def _key(secret: str) -> bytes:
    """A secret is written `whsec_<base64 of the key bytes>`."""
    try:
        return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error:
        # A secret that is not base64 is used as it is, so a mistyped
        # configuration fails signatures loudly instead of crashing intake.
        return secret.encode()


def _sign(key: bytes, message_id: str, timestamp: str, body: bytes) -> bytes:
    signed = message_id.encode() + b"." + timestamp.encode() + b"." + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())


def _parse_time(value: str, name: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise base.malformed(name, _("thời điểm phải theo ISO 8601")) from exc
    if moment.tzinfo is None:
        raise base.malformed(name, _("thời điểm phải có múi giờ"))
    return base.check_moment(moment, name)


def _payer(given: object) -> str:
    """The payer as the stall screen shows it; a missing or odd payer is no
    reason to refuse money, so it only leaves the line empty."""
    if not isinstance(given, dict):
        return ""
    name, account = given.get("name"), given.get("account_masked")
    return mask_payer(name if isinstance(name, str) else "", account if isinstance(account, str) else "")


class VnptAdapter(base.PartnerAdapter):
    code = Partner.VNPT
    secrets_setting = "VNPT_WEBHOOK_SECRETS"
    development_secret = "whsec_" + base64.b64encode(b"cho40-development-vnpt-key").decode()

    def accept(self, headers: Mapping[str, str], body: bytes, now: dt.datetime) -> Notice:
        message_id = headers.get("webhook-id") or ""
        timestamp = headers.get("webhook-timestamp") or ""
        signature = headers.get("webhook-signature") or ""
        if not (message_id and timestamp and signature):
            raise Rejected(Rejected.SIGNATURE, _("Thiếu tiêu đề webhook-id, webhook-timestamp hoặc webhook-signature"))
        given = [entry[3:].encode() for entry in signature.split() if entry.startswith("v1,")]
        expected = [_sign(_key(secret), message_id, timestamp, body) for secret in base.require_secrets(self)]
        # Every pair is compared so the time taken does not depend on which one matches.
        matched = False
        for mine in expected:
            for theirs in given:
                matched |= hmac.compare_digest(mine, theirs)
        if not matched:
            raise Rejected(Rejected.SIGNATURE, _("Chữ ký webhook-signature không khớp"))
        base.check_window(timestamp, now)
        return self._parse(base.load_object(body))

    def _parse(self, payload: dict) -> Notice:
        given = payload.get("type")
        kind = TYPES.get(given) if isinstance(given, str) else None
        if kind is None:
            raise base.malformed("type", _("phải là payment.succeeded hoặc payment.refunded"))
        data = base.get_object(payload, "data")
        p = "data."
        if data.get("currency") != "VND":
            raise base.malformed(p + "currency", _("phải là VND"))
        if data.get("bin") != partner_bin(self.code):
            raise base.malformed(p + "bin", _("phải là %(bin)s") % {"bin": partner_bin(self.code)})
        original = base.get_text(data, "original_transaction_id", path=p, max_length=base.MAX_ID_LENGTH, required=False)
        if kind == Kind.REFUND and not original:
            raise base.malformed(p + "original_transaction_id", _("hoàn tiền phải nêu giao dịch gốc"))
        if kind == Kind.PAYMENT and original:
            raise base.malformed(p + "original_transaction_id", _("thanh toán không có giao dịch gốc"))
        return Notice(
            partner_transaction_id=base.get_text(data, "transaction_id", path=p, max_length=base.MAX_ID_LENGTH),
            kind=kind,
            status=Status.COMPLETED,
            amount=base.get_amount(data, "amount", path=p),
            completed_at=_parse_time(base.get_text(data, "completed_at", path=p, max_length=40), p + "completed_at"),
            credit_account=base.get_text(data, "credit_account", path=p, max_length=base.MAX_ACCOUNT_LENGTH),
            reference=base.get_text(data, "reference", path=p, max_length=base.MAX_REFERENCE_LENGTH, required=False),
            description=base.get_free_text(data, "description", path=p),
            original_partner_transaction_id=original,
            payer=_payer(data.get("payer")),
        )

    def reply(self, outcome: str) -> Reply:
        # Any 2xx ends delivery. A conflict is answered 2xx too: VNPT retries
        # the same body, which would conflict again; the alert is what helps.
        return Reply(200, {"received": True, "result": outcome})

    def reply_rejected(self, rejection: Rejected) -> Reply:
        status = {Rejected.SIGNATURE: 401, Rejected.TIMESTAMP: 401, Rejected.TOO_LARGE: 413}.get(rejection.kind, 400)
        return Reply(status, {"received": False, "error": rejection.reason})

    def encode(self, notice: Notice, *, secret: str, now: dt.datetime, message_id: str = "") -> tuple[dict, bytes]:
        body = json.dumps(
            {
                "type": TYPE_OF_KIND[notice.kind],
                "data": {
                    "transaction_id": notice.partner_transaction_id,
                    "original_transaction_id": notice.original_partner_transaction_id or None,
                    "amount": notice.amount,
                    "currency": "VND",
                    "bin": partner_bin(self.code),
                    "credit_account": notice.credit_account,
                    "reference": notice.reference or None,
                    "description": notice.description,
                    "payer": notice.extra.get("payer", {"name": "KHACH HANG", "account_masked": "091****678"}),
                    "completed_at": notice.completed_at.astimezone(BUSINESS_TZ).isoformat(),
                },
            },
            ensure_ascii=False,
        ).encode()
        message_id = message_id or f"msg_{notice.partner_transaction_id}"
        timestamp = str(int(now.timestamp()))
        signature = "v1," + _sign(_key(secret), message_id, timestamp, body).decode()
        headers = {
            "Content-Type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": signature,
        }
        return headers, body
