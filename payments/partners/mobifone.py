"""MobiFone Money: header HMAC and status events (docs/partners.md)."""

import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Mapping

from django.utils.translation import gettext as _

from core.partners import Partner
from payments.models import Kind, Status
from payments.partners import base
from payments.partners.base import Notice, Rejected, Reply

EVENT = "TRANSACTION_STATUS"
STATUSES = {"SUCCESS": Status.COMPLETED, "FAILED": Status.FAILED, "REVERSED": Status.REVERSED}
STATUS_OF: dict[str, str] = {ours: theirs for theirs, ours in STATUSES.items()}
# A payment reference is 3 to 25 characters of A-Z 0-9; a remark that starts
# with anything else ("Thanh toan") carries no reference.
REFERENCE = re.compile(r"[A-Z0-9]{3,25}")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _sign(secret: str, timestamp: str, body: bytes) -> bytes:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest().encode()


def _millis(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(milliseconds=1)


def reference_in(remark: str) -> str:
    words = remark.split()
    return words[0] if words and REFERENCE.fullmatch(words[0]) else ""


class MobifoneAdapter(base.PartnerAdapter):
    code = Partner.MOBIFONE
    secrets_setting = "MOBIFONE_WEBHOOK_SECRETS"
    development_secret = "cho40-development-mobifone-key"  # noqa: S105 — embedded default only

    def accept(self, headers: Mapping[str, str], body: bytes, now: dt.datetime) -> Notice:
        timestamp = headers.get("X-MBF-Timestamp") or ""
        signature = headers.get("X-MBF-Signature") or ""
        if not (timestamp and signature):
            raise Rejected(Rejected.SIGNATURE, _("Thiếu tiêu đề X-MBF-Timestamp hoặc X-MBF-Signature"))
        given = [entry.strip()[7:].encode() for entry in signature.split(",") if entry.strip().startswith("sha256=")]
        matched = False
        for secret in base.require_secrets(self):
            mine = _sign(secret, timestamp, body)
            for theirs in given:
                matched |= hmac.compare_digest(mine, theirs)
        if not matched:
            raise Rejected(Rejected.SIGNATURE, _("Chữ ký X-MBF-Signature không khớp"))
        base.check_window(timestamp, now)
        return self._parse(base.load_object(body))

    def _parse(self, payload: dict) -> Notice:
        if payload.get("event") != EVENT:
            raise base.malformed("event", _("phải là %(event)s") % {"event": EVENT})
        data = base.get_object(payload, "data")
        p = "data."
        given = data.get("status")
        status = STATUSES.get(given) if isinstance(given, str) else None
        if status is None:
            raise base.malformed(p + "status", _("phải là SUCCESS, FAILED hoặc REVERSED"))
        receiver = base.get_object(data, "receiver", p)
        remark = base.get_free_text(data, "remark", path=p)
        return Notice(
            partner_transaction_id=base.get_text(data, "txn_ref", path=p, max_length=base.MAX_ID_LENGTH),
            kind=Kind.PAYMENT,
            status=status,
            partner_status=data["status"],
            amount=base.get_amount(data, "amount", path=p),
            # The creation time fixes the business date; a later reversal
            # changes the status, not the day the payment belongs to.
            completed_at=base.get_millis(data, "created_at", path=p),
            status_updated_at=base.get_millis(data, "updated_at", path=p),
            credit_account=base.get_text(
                receiver, "account_no", path=p + "receiver.", max_length=base.MAX_ACCOUNT_LENGTH
            ),
            reference=reference_in(remark),
            description=remark,
        )

    def reply(self, outcome: str) -> Reply:
        # Anything but 200 is retried; a conflicting body retried stays a
        # conflict, so it is acknowledged and raised as an alert instead.
        return Reply(200, {"received": True})

    def reply_rejected(self, rejection: Rejected) -> Reply:
        status = {Rejected.SIGNATURE: 401, Rejected.TIMESTAMP: 401, Rejected.TOO_LARGE: 413}.get(rejection.kind, 400)
        return Reply(status, {"received": False, "error": rejection.reason})

    def encode(self, notice: Notice, *, secret: str, now: dt.datetime, message_id: str = "") -> tuple[dict, bytes]:
        remark = notice.description or notice.reference
        body = json.dumps(
            {
                "event": EVENT,
                "data": {
                    "txn_ref": notice.partner_transaction_id,
                    "status": STATUS_OF[notice.status],
                    "amount": notice.amount,
                    "receiver": {"account_no": notice.credit_account, "name": notice.extra.get("name", "")},
                    "remark": remark,
                    "created_at": _millis(notice.completed_at),
                    "updated_at": _millis(notice.status_updated_at or notice.completed_at),
                },
            },
            ensure_ascii=False,
        ).encode()
        timestamp = str(int(now.timestamp()))
        return {
            "Content-Type": "application/json",
            "X-MBF-Timestamp": timestamp,
            "X-MBF-Signature": "sha256=" + _sign(secret, timestamp, body).decode(),
        }, body
