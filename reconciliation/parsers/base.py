"""What every settlement parser hands to the rest of reconciliation.

A parser turns one partner's file into `Line`s in a vocabulary no partner
uses (kind payment/refund, status completed/failed/reversed, whole đồng), so
matching, reports and the demo never learn a partner's field names. It checks
everything a line can say about itself; `SettlementFormatError` names the
line and the field, and the import then rejects the whole file.
"""

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from django.utils.translation import gettext as _

from core.clock import BUSINESS_TZ, day_bounds


class Kind:
    PAYMENT = "payment"
    REFUND = "refund"


class Status:
    COMPLETED = "completed"
    FAILED = "failed"
    REVERSED = "reversed"


class Line(NamedTuple):
    """One transaction as the partner settles it (amounts are whole đồng, positive)."""

    line_no: int
    partner_txn_id: str
    kind: str
    status: str
    completed_at: dt.datetime
    account: str
    reference: str
    amount: int
    fee: int
    net_amount: int
    original_txn_id: str
    description: str


@dataclass
class ParsedHeader:
    """What the file says about itself before its lines."""

    business_date: dt.date
    declared_count: int | None = None
    declared_total: int | None = None
    extra: dict = field(default_factory=dict)


# A value quoted in a reason („…“) is shown by its start only: the reason
# must stay readable, and it travels with the COPY the error interrupts, whose
# CopyFail message PostgreSQL refuses past 10,000 bytes by dropping the
# connection.
_LONG_QUOTE = re.compile(r"„([^“]{120})[^“]+“")
MAX_REASON = 600


class SettlementFormatError(Exception):
    """The file breaks its partner's format; nothing of it may be imported."""

    def __init__(self, reason: str, *, line: int | None = None, field: str | None = None) -> None:
        reason = _LONG_QUOTE.sub(r"„\1…“", reason)
        self.reason = reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"
        self.line = line
        self.field = field
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = []
        if self.line is not None:
            where.append(_("dòng %(line)d") % {"line": self.line})
        if self.field:
            where.append(_("cột „%(field)s“") % {"field": self.field})
        prefix = ", ".join(where)
        return f"{prefix[:1].upper()}{prefix[1:]}: {self.reason}" if prefix else self.reason


class NotStrictShape(Exception):
    """Raised by a parser's `strict_body` pieces when the file turns out not
    to be in the strict shape: the loader then parses it line by line."""


class SettlementParser(Protocol):
    """The interface each `reconciliation/parsers/<partner>.py` module offers."""

    def file_name(self, business_date: dt.date) -> str: ...

    def date_from_name(self, name: str) -> dt.date | None: ...

    def parse(self, content: bytes, *, business_date: dt.date) -> Iterator[Line]: ...

    def render(self, lines: list[Line], *, business_date: dt.date) -> bytes: ...


def date_from_digits(text: str, *, line: int | None, field: str) -> dt.date:
    """yyyyMMdd → date, or a format error naming the field."""
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise SettlementFormatError(
            _("ngày „%(value)s“ không hợp lệ (cần dạng yyyyMMdd)") % {"value": text}, line=line, field=field
        ) from None


def date_in_name(pattern: re.Pattern, name: str) -> dt.date | None:
    """The business date in a file name `pattern` matches whole (its one
    group is yyyyMMdd); None for a name of another form or an impossible date."""
    match = pattern.fullmatch(name)
    if match is None:
        return None
    try:
        return date_from_digits(match.group(1), line=None, field="name")
    except SettlementFormatError:
        return None


def local_time(text: str, pattern: str, *, line: int, field: str, shown: str) -> dt.datetime:
    """Local wall-clock text (no offset in the file) → aware Asia/Ho_Chi_Minh datetime."""
    try:
        return dt.datetime.strptime(text, pattern).replace(tzinfo=BUSINESS_TZ)
    except (ValueError, TypeError):
        raise SettlementFormatError(
            _("thời gian „%(value)s“ không hợp lệ (cần dạng %(shown)s)") % {"value": text, "shown": shown},
            line=line,
            field=field,
        ) from None


def whole_dong(text: str, *, line: int, field: str, allow_negative: bool = False) -> int:
    """A whole number of đồng written as digits; anything else names the field."""
    body = text[1:] if allow_negative and text.startswith("-") else text
    if not body.isdigit() or not body.isascii() or len(body) > 15:
        raise SettlementFormatError(
            _("số tiền „%(value)s“ phải là số nguyên đồng") % {"value": text}, line=line, field=field
        )
    return int(text)


def check_window(when: dt.datetime, business_date: dt.date, *, line: int, field: str) -> None:
    """A line belongs to the file's day, or to the evening before it when the
    partner settles a transaction completed just before midnight on the next
    day's file; anything further away means the file is for another day."""
    start, end = day_bounds(business_date)
    if not (start - dt.timedelta(days=1) <= when < end):
        raise SettlementFormatError(
            _("thời gian %(when)s không thuộc ngày đối soát %(day)s")
            % {
                "when": when.astimezone(BUSINESS_TZ).strftime("%d/%m/%Y %H:%M:%S"),
                "day": business_date.strftime("%d/%m/%Y"),
            },
            line=line,
            field=field,
        )


def check_net(line: Line, *, field: str) -> None:
    """net = amount − fee for a payment, −amount − fee for a refund (docs/partners.md)."""
    expected = line.amount - line.fee if line.kind == Kind.PAYMENT else -line.amount - line.fee
    if line.net_amount != expected:
        raise SettlementFormatError(
            _("thực nhận %(net)d không khớp số tiền và phí (phải là %(expected)d)")
            % {"net": line.net_amount, "expected": expected},
            line=line.line_no,
            field=field,
        )


# SettlementLine.description holds this much; the payer's note is kept, cut to
# length, as webhook intake keeps it: a long note is no reason to refuse a file.
MAX_DESCRIPTION = 200


def free_text(text: str, *, line: int, field: str) -> str:
    """A note from the file (a remark): cut to length; NUL, which PostgreSQL
    cannot store and no partner writes on purpose, marks a damaged file."""
    if "\x00" in text:
        raise SettlementFormatError(_("có ký tự NUL (tệp hỏng?)"), line=line, field=field)
    return text[:MAX_DESCRIPTION]


def decode(content: bytes) -> str:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SettlementFormatError(_("tệp không phải UTF-8 (byte %(at)d)") % {"at": exc.start}) from None
    return text.removeprefix("\ufeff")
