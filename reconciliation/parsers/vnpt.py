"""VNPT Money's settlement file: `VNPT_SETTLEMENT_YYYYMMDD.csv` (docs/partners.md).

UTF-8, comma-separated, one header line, then one line per transaction. The
file carries no date of its own besides its name, so each line's completion
time must fall on the named day (or the evening before it).

Files run to a million lines, so a line is checked by one compiled pattern
first; only a line that fails it is taken apart field by field to say which
field is wrong.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import NoReturn

from django.utils.translation import gettext as _

from core.clock import day_bounds
from reconciliation.parsers.base import (
    Kind,
    Line,
    NotStrictShape,
    SettlementFormatError,
    Status,
    check_net,
    check_window,
    date_in_name,
    whole_dong,
)

CODE = "vnpt"
HEADER = [
    "transaction_id",
    "type",
    "completed_at",
    "credit_account",
    "reference",
    "amount",
    "fee",
    "net_amount",
    "original_transaction_id",
]
KINDS = {"PAYMENT": Kind.PAYMENT, "REFUND": Kind.REFUND}
NAMES = {kind: name for name, kind in KINDS.items()}
NAME_RE = re.compile(r"VNPT_SETTLEMENT_(\d{8})\.csv")

_ID = r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}"
_FIELD_RE = {
    "transaction_id": re.compile(_ID),
    "credit_account": re.compile(r"[0-9]{0,19}"),
    "reference": re.compile(r"[A-Z0-9]{0,25}"),
    "original_transaction_id": re.compile(f"(?:{_ID})?"),
}
_LINE_RE = re.compile(
    rf"({_ID}),(PAYMENT|REFUND),(\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d|Z)),"
    rf"([0-9]{{0,19}}),([A-Z0-9]{{0,25}}),(\d{{1,15}}),(\d{{1,15}}),(-?\d{{1,15}}),((?:{_ID})?)\r?\n?"
)
_new_line = tuple.__new__

# The strictest shape of a whole file body (bytes, ASCII digits, "\n" line
# ends, whole seconds, valid clock fields): a body matching it is one
# C-level match instead of a million Python steps, and every line of it is
# one the line-by-line parse accepts as far as the text goes. The checks
# across fields (day window, net amount, refund's original) are then made
# set-based by the loader; anything else takes the line-by-line parse,
# which names the line and the field.
_BYTES_ID = rb"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}"
_BYTES_LINE = (
    rb"%s,(?:PAYMENT|REFUND),[0-9]{4}-[0-9][0-9]-[0-9][0-9]T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    rb"(?:[+-][0-9][0-9]:[0-9][0-9]|Z),[0-9]{0,19},[A-Z0-9]{0,25},[0-9]{1,15},[0-9]{1,15},-?[0-9]{1,15},(?:%s)?"
) % (_BYTES_ID, _BYTES_ID)
_HEADER_BYTES = ",".join(HEADER).encode()
_PIECE = 1 << 20
_BODY_RE = re.compile(rb"(?:%s\n)*(?:%s)?" % (_BYTES_LINE, _BYTES_LINE))


def file_name(business_date: dt.date) -> str:
    return f"VNPT_SETTLEMENT_{business_date:%Y%m%d}.csv"


def date_from_name(name: str) -> dt.date | None:
    return date_in_name(NAME_RE, name)


def parse(content: bytes, *, business_date: dt.date) -> Iterator[Line]:
    stream = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    try:
        yield from _parse_lines(stream, business_date)
    except UnicodeDecodeError as exc:
        raise SettlementFormatError(_("tệp không phải UTF-8 (byte %(at)d)") % {"at": exc.start}) from None


def _parse_lines(stream: io.TextIOWrapper, business_date: dt.date) -> Iterator[Line]:
    header = stream.readline().rstrip("\r\n")
    if header.split(",") != HEADER:
        raise SettlementFormatError(
            _("dòng tiêu đề phải là „%(expected)s“") % {"expected": ",".join(HEADER)}, line=1, field="header"
        )
    fullmatch = _LINE_RE.fullmatch
    parse_time = dt.datetime.fromisoformat
    # Vietnam keeps UTC+7 all year, so a fixed offset compares fastest.
    fixed = dt.timezone(dt.timedelta(hours=7))
    start = day_bounds(business_date - dt.timedelta(days=1))[0].astimezone(fixed)
    end = day_bounds(business_date)[1].astimezone(fixed)
    for line_no, raw in enumerate(stream, start=2):
        match = fullmatch(raw)
        if match is None:
            if not raw.strip():
                raise SettlementFormatError(_("dòng trống"), line=line_no)
            _diagnose(raw, line_no)
        txn_id, kind, completed, account, reference, amount, fee, net, original = match.groups()
        try:
            when = parse_time(completed)
        except ValueError:
            raise _bad_time(completed, line_no) from None
        kind = KINDS[kind]
        line = _new_line(
            Line,
            (
                line_no,
                txn_id,
                kind,
                Status.COMPLETED,
                when,
                account,
                reference,
                int(amount),
                int(fee),
                int(net),
                original,
                "",
            ),
        )
        if not (start <= when < end):
            check_window(when, business_date, line=line_no, field="completed_at")
        if line.net_amount != (line.amount - line.fee if kind == Kind.PAYMENT else -line.amount - line.fee):
            check_net(line, field="net_amount")
        if kind == Kind.REFUND and not original:
            raise SettlementFormatError(
                _("giao dịch hoàn tiền phải ghi mã giao dịch gốc"), line=line_no, field="original_transaction_id"
            )
        yield line


def strict_body(content: bytes) -> Iterator[list[bytes]] | None:
    """The lines of a file in the strictest shape (see `_BODY_RE`), with the
    type already in the parsers' vocabulary, a megabyte's worth at a time;
    None when the header already says the file is not in that shape. Each
    piece is checked as it is given out (one match over the whole file would
    hold its backtracking state for a million lines, and checking it all
    first would keep the database waiting): a piece out of shape raises
    NotStrictShape, and the caller parses the file line by line instead."""
    start = 3 if content.startswith(b"\xef\xbb\xbf") else 0
    cut = content.find(b"\n", start)
    if cut < 0 or content[start:cut] != _HEADER_BYTES:
        return None
    return _strict_pieces(content, cut + 1)


# The type is the field after the id, and an id holds no comma, so every
# line holds one of these; only a reference of exactly PAYMENT or REFUND
# could hold a second, and then the piece has more of them than lines.
_PAYMENT_TYPE = b",PAYMENT,"
_REFUND_TYPE = b",REFUND,"


def _strict_pieces(content: bytes, position: int) -> Iterator[list[bytes]]:
    size = len(content)
    while position < size:
        end = content.find(b"\n", position + _PIECE)
        end = size if end < 0 else end + 1
        if _BODY_RE.fullmatch(content, position, end) is None:
            raise NotStrictShape
        piece = content[position:end]
        line_count = piece.count(b"\n") + (not piece.endswith(b"\n"))
        # Plain counts and replaces cost far less than a pattern that finds the second field.
        if piece.count(_PAYMENT_TYPE) + piece.count(_REFUND_TYPE) != line_count:
            raise NotStrictShape
        piece = piece.replace(_PAYMENT_TYPE, b",payment,").replace(_REFUND_TYPE, b",refund,")
        lines = piece.split(b"\n")
        if not lines[-1]:
            lines.pop()
        yield lines
        position = end


def _bad_time(value: str, line_no: int) -> SettlementFormatError:
    return SettlementFormatError(
        _("thời gian „%(value)s“ không hợp lệ (cần dạng ISO 8601 có múi giờ, ví dụ 2026-11-20T08:15:29+07:00)")
        % {"value": value},
        line=line_no,
        field="completed_at",
    )


def _diagnose(raw: str, line_no: int) -> NoReturn:
    """Say which field of a line that failed the pattern is wrong."""
    try:
        row = next(csv.reader([raw.rstrip("\r\n")]))
    except csv.Error:
        row = raw.rstrip("\r\n").split(",")
    if len(row) != len(HEADER):
        raise SettlementFormatError(
            _("có %(found)d cột, cần %(expected)d cột") % {"found": len(row), "expected": len(HEADER)},
            line=line_no,
            field=HEADER[min(len(row), len(HEADER) - 1)] if len(row) < len(HEADER) else None,
        )
    values = dict(zip(HEADER, row, strict=True))
    for name, pattern in _FIELD_RE.items():
        if not pattern.fullmatch(values[name]):
            raise SettlementFormatError(
                _("giá trị „%(value)s“ không hợp lệ") % {"value": values[name]}, line=line_no, field=name
            )
    if values["type"] not in KINDS:
        raise SettlementFormatError(
            _("loại giao dịch „%(value)s“ không hợp lệ (PAYMENT hoặc REFUND)") % {"value": values["type"]},
            line=line_no,
            field="type",
        )
    for name in ("amount", "fee"):
        whole_dong(values[name], line=line_no, field=name)
    whole_dong(values["net_amount"], line=line_no, field="net_amount", allow_negative=True)
    raise _bad_time(values["completed_at"], line_no)


def render(lines: list[Line], *, business_date: dt.date) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for line in lines:
        writer.writerow(
            [
                line.partner_txn_id,
                NAMES[line.kind],
                line.completed_at.isoformat(timespec="seconds"),
                line.account,
                line.reference,
                line.amount,
                line.fee,
                line.net_amount,
                line.original_txn_id,
            ]
        )
    return out.getvalue().encode("utf-8")
