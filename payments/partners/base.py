"""The one small interface every partner adapter implements.

An adapter turns one raw delivery (headers and body bytes) into a `Notice`,
the common shape intake stores, or raises `Rejected`; it answers each
outcome in the partner's own format; and, for the simulator and the demo, it
writes a notice back into the partner's format, signed. Nothing outside
`payments/partners/` knows a partner's field names.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.text import json_storable

# How far a signed timestamp may be from our clock, either way (partners.md).
REPLAY_WINDOW_SECONDS = 300
MAX_ID_LENGTH = 64
MAX_ACCOUNT_LENGTH = 32
MAX_REFERENCE_LENGTH = 64
MAX_DESCRIPTION_LENGTH = 200
# No market payment comes near this; it keeps amounts far inside bigint.
MAX_AMOUNT = 10**12
# No payment of the programme lies outside these; near the ends of the
# calendar a moment cannot even be moved to UTC or to local time.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


class Outcome:
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"


class Rejected(Exception):
    """A delivery the partner must be told is wrong. `kind` chooses the answer."""

    SIGNATURE = "signature"
    TIMESTAMP = "timestamp"
    MALFORMED = "malformed"
    TOO_LARGE = "too_large"

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class Notice:
    """What a delivery says happened, in our terms."""

    partner_transaction_id: str
    kind: str  # payments.models.Kind
    status: str  # payments.models.Status
    amount: int
    completed_at: dt.datetime
    credit_account: str
    reference: str = ""
    description: str = ""
    partner_status: str = ""
    original_partner_transaction_id: str = ""
    # Set only by partners whose transactions move through statuses over time
    # (MobiFone): then the latest status wins and status is not identity.
    status_updated_at: dt.datetime | None = None
    # Who paid, as the stall screen may show it: masked before it is kept.
    payer: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    def digest(self) -> str:
        """What must be equal for two deliveries of one id to be the same."""
        identity = [
            self.kind,
            self.amount,
            self.completed_at.astimezone(dt.UTC).isoformat(),
            self.credit_account,
            self.reference,
            self.original_partner_transaction_id,
        ]
        if self.status_updated_at is None:
            identity += [self.status, self.partner_status]
        return hashlib.sha256(json.dumps(identity).encode()).hexdigest()


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict


class PartnerAdapter:
    code: str = ""
    secrets_setting: str = ""
    development_secret: str = ""

    def secrets(self) -> list[str]:
        """The configured secrets, newest first. The embedded default (which
        production settings refuse to start with) falls back to a fixed
        development secret so `make demo` works with nothing set."""
        configured = list(getattr(settings, self.secrets_setting, []) or [])
        if not configured and settings.SECRET_KEY == getattr(settings, "DEVELOPMENT_SECRET_KEY", None):
            return [self.development_secret]
        return configured

    def accept(self, headers: Mapping[str, str], body: bytes, now: dt.datetime) -> Notice:
        """Verify the signature on the raw bytes, then parse. Raises Rejected."""
        raise NotImplementedError

    def reply(self, outcome: str) -> Reply:
        raise NotImplementedError

    def reply_rejected(self, rejection: Rejected) -> Reply:
        raise NotImplementedError

    def encode(self, notice: Notice, *, secret: str, now: dt.datetime, message_id: str = "") -> tuple[dict, bytes]:
        """The notice as this partner would send it, signed with `secret`."""
        raise NotImplementedError


# --- helpers the adapters share -------------------------------------------


def require_secrets(adapter: PartnerAdapter) -> list[str]:
    found = adapter.secrets()
    if not found:
        reason = _("Chưa cấu hình khóa bí mật cho ví này (%(name)s)") % {"name": adapter.secrets_setting}
        raise Rejected(Rejected.SIGNATURE, reason)
    return found


def check_window(timestamp: str, now: dt.datetime, *, past: bool = True) -> None:
    """A Unix-seconds timestamp must lie within the replay window of `now`."""
    # isdigit() alone takes "²" and other digits int() refuses; ten digits
    # reach the year 2286.
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 10:
        raise Rejected(Rejected.TIMESTAMP, _("Dấu thời gian không phải số nguyên giây"))
    skew = int(timestamp) - now.timestamp()
    if skew > REPLAY_WINDOW_SECONDS:
        raise Rejected(Rejected.TIMESTAMP, _("Dấu thời gian ở tương lai quá %(n)s giây") % {"n": REPLAY_WINDOW_SECONDS})
    if past and -skew > REPLAY_WINDOW_SECONDS:
        raise Rejected(Rejected.TIMESTAMP, _("Dấu thời gian đã cũ quá %(n)s giây") % {"n": REPLAY_WINDOW_SECONDS})


def load_object(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # RecursionError: JSON nested deeper than the decoder's stack allows.
        raise Rejected(Rejected.MALFORMED, _("Nội dung không phải JSON UTF-8 hợp lệ")) from exc
    if not isinstance(data, dict):
        raise Rejected(Rejected.MALFORMED, _("Nội dung JSON phải là một đối tượng"))
    # Only a \u escape puts NUL or half a surrogate pair into a string (UTF-8
    # decoding and the JSON grammar refuse them as raw bytes), so a body with
    # no escape needs no walk.
    if b"\\u" in body and not json_storable(data):
        raise Rejected(Rejected.MALFORMED, _("Nội dung chứa ký tự NUL hoặc nửa cặp surrogate UTF-16"))
    return data


def malformed(name: str, reason: str) -> Rejected:
    return Rejected(Rejected.MALFORMED, f"{name}: {reason}")


def get_object(data: Mapping[str, Any], name: str, path: str = "") -> dict:
    value = data.get(name)
    if not isinstance(value, dict):
        raise malformed(path + name, _("thiếu hoặc không phải đối tượng"))
    return value


def get_text(data: Mapping[str, Any], name: str, *, path: str = "", max_length: int, required: bool = True) -> str:
    """A string field; absent, null and empty are all "" when not required."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise malformed(path + name, _("thiếu giá trị"))
        return ""
    if not isinstance(value, str):
        raise malformed(path + name, _("phải là chuỗi ký tự"))
    value = value.strip()
    if required and not value:
        raise malformed(path + name, _("thiếu giá trị"))
    if len(value) > max_length:
        raise malformed(path + name, _("dài quá %(n)s ký tự") % {"n": max_length})
    return value


def get_free_text(data: Mapping[str, Any], name: str, *, path: str = "") -> str:
    """A note the payer typed: kept, cut to length, never a reason to refuse money."""
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise malformed(path + name, _("phải là chuỗi ký tự"))
    return " ".join(value.split())[:MAX_DESCRIPTION_LENGTH]


def check_amount(value: int, name: str) -> int:
    if value <= 0:
        raise malformed(name, _("số tiền phải lớn hơn 0"))
    if value > MAX_AMOUNT:
        raise malformed(name, _("số tiền quá lớn"))
    return value


def get_amount(data: Mapping[str, Any], name: str, *, path: str = "") -> int:
    """A JSON integer of đồng; floats, strings and booleans are refused."""
    value = data.get(name)
    if value is None:
        raise malformed(path + name, _("thiếu giá trị"))
    if isinstance(value, bool) or not isinstance(value, int):
        raise malformed(path + name, _("số tiền phải là số nguyên đồng"))
    return check_amount(value, path + name)


def get_millis(data: Mapping[str, Any], name: str, *, path: str = "") -> dt.datetime:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise malformed(path + name, _("phải là số nguyên mili giây Unix"))
    try:
        moment = dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise malformed(path + name, _("thời điểm không hợp lệ")) from exc
    return check_moment(moment, path + name)


def check_moment(moment: dt.datetime, name: str) -> dt.datetime:
    if not EARLIEST <= moment < LATEST:
        raise malformed(name, _("thời điểm phải trong khoảng năm 2000 đến 2099"))
    return moment
