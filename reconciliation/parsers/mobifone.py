"""MobiFone Money's settlement file: `MBF_YYYYMMDD.txt` (docs/partners.md).

UTF-8, pipe-delimited: an `H` header (partner name, business date, our
merchant code), one `D` line per transaction with its final status that day,
and a `T` trailer with the number of D lines and the sum of the SUCCESS
amounts. A reversal is a later status of the same transaction, so a REVERSED
line keeps the payment's id and amount.
"""

import datetime as dt
import io
import re
from collections.abc import Iterator

from django.utils.translation import gettext as _

from core.clock import BUSINESS_TZ
from reconciliation.parsers.base import (
    Kind,
    Line,
    SettlementFormatError,
    Status,
    check_window,
    date_from_digits,
    date_in_name,
    free_text,
    local_time,
    whole_dong,
)

CODE = "mobifone"
PARTNER_NAME = "MOBIFONE MONEY"
MERCHANT_CODE = "CT4VMBF"
STATUSES = {"SUCCESS": Status.COMPLETED, "FAILED": Status.FAILED, "REVERSED": Status.REVERSED}
NAMES = {status: name for name, status in STATUSES.items()}
NAME_RE = re.compile(r"MBF_(\d{8})\.txt")
TXN_REF_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
ACCOUNT_RE = re.compile(r"[0-9]{1,19}")
REFERENCE_RE = re.compile(r"[A-Z0-9]{3,25}")
D_FIELDS = ["record", "txn_ref", "status", "time", "account_no", "amount", "fee", "remark"]


def file_name(business_date: dt.date) -> str:
    return f"MBF_{business_date:%Y%m%d}.txt"


def date_from_name(name: str) -> dt.date | None:
    return date_in_name(NAME_RE, name)


def reference_of(remark: str) -> str:
    """The payment reference, when present, is the first word of the remark."""
    first = remark.split(maxsplit=1)[0] if remark.strip() else ""
    return first if REFERENCE_RE.fullmatch(first) else ""


def parse(content: bytes, *, business_date: dt.date) -> Iterator[Line]:
    stream = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    try:
        yield from _parse_records(stream, business_date)
    except UnicodeDecodeError as exc:
        raise SettlementFormatError(_("tệp không phải UTF-8 (byte %(at)d)") % {"at": exc.start}) from None


def _parse_records(stream: io.TextIOWrapper, business_date: dt.date) -> Iterator[Line]:
    count = 0
    success_total = 0
    trailer_seen = False
    for line_no, raw in enumerate(stream, start=1):
        text = raw.rstrip("\r\n")
        if not text:
            raise SettlementFormatError(_("dòng trống"), line=line_no)
        record = text.split("|", 7)
        if trailer_seen:
            raise SettlementFormatError(_("có dữ liệu sau dòng tổng kết T"), line=line_no, field="record")
        if line_no == 1:
            _check_header(record, business_date)
            continue
        if record[0] == "D":
            line = _detail(record, line_no, business_date)
            count += 1
            if line.status == Status.COMPLETED:
                success_total += line.amount
            yield line
        elif record[0] == "T":
            _check_trailer(record, line_no, count, success_total)
            trailer_seen = True
        else:
            raise SettlementFormatError(
                _("loại bản ghi „%(value)s“ không hợp lệ (H, D hoặc T)") % {"value": record[0]},
                line=line_no,
                field="record",
            )
    if not trailer_seen:
        raise SettlementFormatError(_("thiếu dòng tổng kết T ở cuối tệp"), field="T")


def _check_header(record: list[str], business_date: dt.date) -> None:
    if record[0] != "H" or len(record) != 4:
        raise SettlementFormatError(_("dòng đầu phải là H|MOBIFONE MONEY|yyyyMMdd|mã đơn vị"), line=1, field="record")
    if record[1] != PARTNER_NAME:
        raise SettlementFormatError(
            _("tên đối tác „%(value)s“ không đúng (cần %(expected)s)") % {"value": record[1], "expected": PARTNER_NAME},
            line=1,
            field="partner_name",
        )
    declared = date_from_digits(record[2], line=1, field="business_date")
    if declared != business_date:
        raise SettlementFormatError(
            _("ngày %(declared)s khác ngày trong tên tệp %(named)s")
            % {"declared": declared.strftime("%d/%m/%Y"), "named": business_date.strftime("%d/%m/%Y")},
            line=1,
            field="business_date",
        )
    if not record[3].strip():
        raise SettlementFormatError(_("thiếu mã đơn vị"), line=1, field="merchant_code")


def _detail(record: list[str], line_no: int, business_date: dt.date) -> Line:
    if len(record) != len(D_FIELDS):
        raise SettlementFormatError(
            _("dòng D có %(found)d cột, cần %(expected)d cột") % {"found": len(record), "expected": len(D_FIELDS)},
            line=line_no,
            field=D_FIELDS[len(record)] if len(record) < len(D_FIELDS) else None,
        )
    _record_type, txn_ref, status, time_text, account, amount_text, fee_text, remark = record
    remark = free_text(remark, line=line_no, field="remark")
    if not TXN_REF_RE.fullmatch(txn_ref):
        raise SettlementFormatError(
            _("mã giao dịch „%(value)s“ không hợp lệ") % {"value": txn_ref}, line=line_no, field="txn_ref"
        )
    if status not in STATUSES:
        raise SettlementFormatError(
            _("trạng thái „%(value)s“ không hợp lệ (SUCCESS, FAILED hoặc REVERSED)") % {"value": status},
            line=line_no,
            field="status",
        )
    when = local_time(time_text, "%Y%m%d%H%M%S", line=line_no, field="time", shown="yyyyMMddHHmmss")
    if len(time_text) != 14:
        raise SettlementFormatError(
            _("thời gian „%(value)s“ không hợp lệ (cần dạng yyyyMMddHHmmss)") % {"value": time_text},
            line=line_no,
            field="time",
        )
    check_window(when, business_date, line=line_no, field="time")
    if not ACCOUNT_RE.fullmatch(account):
        raise SettlementFormatError(
            _("số tài khoản „%(value)s“ không hợp lệ") % {"value": account}, line=line_no, field="account_no"
        )
    amount = whole_dong(amount_text, line=line_no, field="amount")
    fee = whole_dong(fee_text, line=line_no, field="fee")
    normalised = STATUSES[status]
    net = amount - fee if normalised == Status.COMPLETED else -fee
    return Line(
        line_no, txn_ref, Kind.PAYMENT, normalised, when, account, reference_of(remark), amount, fee, net, "", remark
    )


def _check_trailer(record: list[str], line_no: int, count: int, success_total: int) -> None:
    if len(record) != 3:
        raise SettlementFormatError(_("dòng tổng kết phải là T|số dòng D|tổng tiền"), line=line_no, field="record")
    declared_count = whole_dong(record[1], line=line_no, field="count")
    declared_total = whole_dong(record[2], line=line_no, field="total")
    if declared_count != count:
        raise SettlementFormatError(
            _("dòng tổng kết ghi %(declared)d dòng D nhưng tệp có %(found)d dòng D")
            % {"declared": declared_count, "found": count},
            line=line_no,
            field="count",
        )
    if declared_total != success_total:
        raise SettlementFormatError(
            _("dòng tổng kết ghi tổng %(declared)d đồng nhưng các dòng SUCCESS cộng lại %(found)d đồng")
            % {"declared": declared_total, "found": success_total},
            line=line_no,
            field="total",
        )


def render(lines: list[Line], *, business_date: dt.date) -> bytes:
    out = [f"H|{PARTNER_NAME}|{business_date:%Y%m%d}|{MERCHANT_CODE}"]
    total = 0
    for line in lines:
        local = line.completed_at.astimezone(BUSINESS_TZ)
        out.append(
            f"D|{line.partner_txn_id}|{NAMES[line.status]}|{local:%Y%m%d%H%M%S}|{line.account}|"
            f"{line.amount}|{line.fee}|{line.description}"
        )
        if line.status == Status.COMPLETED:
            total += line.amount
    out.append(f"T|{len(lines)}|{total}")
    return ("\n".join(out) + "\n").encode("utf-8")
