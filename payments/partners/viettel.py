"""Viettel Money: an HMAC checksum inside the body (docs/partners.md)."""

import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Mapping

from django.utils.translation import gettext as _

from core.clock import BUSINESS_TZ
from core.partners import Partner
from payments.models import Kind, Status
from payments.partners import base
from payments.partners.base import Notice, Outcome, Rejected, Reply

TYPES = {"PAYMENT": Kind.PAYMENT, "REFUND": Kind.REFUND}
TYPE_OF_KIND: dict[str, str] = {kind: name for name, kind in TYPES.items()}
COMPLETED = "00"
MERCHANT_CODE = "CT4VVT"
AMOUNT = re.compile(r"[0-9]{1,13}")
TIME = re.compile(r"[0-9]{14}")


def _string_to_sign(fields: Mapping[str, str]) -> bytes:
    """Every field but check_sum, sorted by name, `name=value` joined by `&`,
    values exactly as sent (empty ones included)."""
    return "&".join(f"{name}={fields[name]}" for name in sorted(fields)).encode()


def _checksum(key: str, fields: Mapping[str, str]) -> bytes:
    return hmac.new(key.encode(), _string_to_sign(fields), hashlib.sha256).hexdigest().encode()


def _parse_time(value: str) -> dt.datetime:
    if not TIME.fullmatch(value):
        raise base.malformed("trans_time", _("phải có dạng yyyyMMddHHmmss"))
    try:
        moment = dt.datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=BUSINESS_TZ)
    except ValueError as exc:
        raise base.malformed("trans_time", _("ngày giờ không tồn tại")) from exc
    return base.check_moment(moment, "trans_time")


class ViettelAdapter(base.PartnerAdapter):
    code = Partner.VIETTEL
    secrets_setting = "VIETTEL_CHECKSUM_KEYS"
    development_secret = "cho40-development-viettel-key"  # noqa: S105 — embedded default only

    def accept(self, headers: Mapping[str, str], body: bytes, now: dt.datetime) -> Notice:
        # The checksum lives inside the body, so the JSON must be decoded to
        # find it; nothing else is read before the checksum is verified.
        payload = base.load_object(body)
        given = payload.get("check_sum")
        if not isinstance(given, str) or not given:
            raise Rejected(Rejected.SIGNATURE, _("Thiếu check_sum"))
        fields = {name: value for name, value in payload.items() if name != "check_sum"}
        for name, value in fields.items():
            if not isinstance(value, str):
                raise base.malformed(name, _("mọi giá trị phải là chuỗi ký tự"))
        matched = False
        for key in base.require_secrets(self):
            matched |= hmac.compare_digest(_checksum(key, fields), given.encode())
        if not matched:
            raise Rejected(Rejected.SIGNATURE, _("check_sum không khớp"))
        return self._parse(fields, now)

    def _parse(self, fields: dict[str, str], now: dt.datetime) -> Notice:
        kind = TYPES.get(fields.get("trans_type", ""))
        if kind is None:
            raise base.malformed("trans_type", _("phải là PAYMENT hoặc REFUND"))
        base.get_text(fields, "merchant_code", max_length=32)
        original = base.get_text(fields, "orig_trans_id", max_length=base.MAX_ID_LENGTH, required=False)
        if kind == Kind.REFUND and not original:
            raise base.malformed("orig_trans_id", _("hoàn tiền phải nêu giao dịch gốc"))
        amount_text = fields.get("amount", "")
        if not AMOUNT.fullmatch(amount_text):
            raise base.malformed("amount", _("số tiền phải là số nguyên đồng"))
        completed_at = _parse_time(fields.get("trans_time", ""))
        if (completed_at - now).total_seconds() > base.REPLAY_WINDOW_SECONDS:
            raise Rejected(
                Rejected.TIMESTAMP,
                _("trans_time ở tương lai quá %(n)s giây") % {"n": base.REPLAY_WINDOW_SECONDS},
            )
        status_code = base.get_text(fields, "status", max_length=16)
        return Notice(
            partner_transaction_id=base.get_text(fields, "trans_id", max_length=base.MAX_ID_LENGTH),
            kind=kind,
            status=Status.COMPLETED if status_code == COMPLETED else Status.FAILED,
            partner_status=status_code,
            amount=base.check_amount(int(amount_text), "amount"),
            completed_at=completed_at,
            credit_account=base.get_text(fields, "receiver_account", max_length=base.MAX_ACCOUNT_LENGTH),
            reference=base.get_text(fields, "ref_code", max_length=base.MAX_REFERENCE_LENGTH, required=False),
            description=base.get_free_text(fields, "content"),
            original_partner_transaction_id=original if kind == Kind.REFUND else "",
        )

    def reply(self, outcome: str) -> Reply:
        if outcome == Outcome.CONFLICT:
            return Reply(409, {"code": "04", "message": _("Mã giao dịch đã được ghi nhận với nội dung khác")})
        if outcome == Outcome.DUPLICATE:
            return Reply(200, {"code": "02", "message": _("Giao dịch đã được ghi nhận trước đó")})
        return Reply(200, {"code": "00", "message": _("Đã ghi nhận")})

    def reply_rejected(self, rejection: Rejected) -> Reply:
        if rejection.kind == Rejected.SIGNATURE:
            return Reply(401, {"code": "97", "message": rejection.reason})
        # A future trans_time and an oversized body are bad requests too: the
        # contract has one code for them, and a retry cannot fix either.
        return Reply(400, {"code": "01", "message": rejection.reason})

    def encode(self, notice: Notice, *, secret: str, now: dt.datetime, message_id: str = "") -> tuple[dict, bytes]:
        fields = {
            "merchant_code": MERCHANT_CODE,
            "trans_id": notice.partner_transaction_id,
            "trans_type": TYPE_OF_KIND[notice.kind],
            "orig_trans_id": notice.original_partner_transaction_id,
            "receiver_account": notice.credit_account,
            "amount": str(notice.amount),
            "trans_time": notice.completed_at.astimezone(BUSINESS_TZ).strftime("%Y%m%d%H%M%S"),
            "ref_code": notice.reference,
            "content": notice.description,
            "status": notice.partner_status or (COMPLETED if notice.status == Status.COMPLETED else "99"),
        }
        fields["check_sum"] = _checksum(secret, fields).decode()
        return {"Content-Type": "application/json"}, json.dumps(fields, ensure_ascii=False).encode()
