"""Viettel Money's settlement file: `VIETTEL_DOISOAT_YYYYMMDD.xlsx` (docs/partners.md).

First sheet `DoiSoat`: a title, `Ngày giao dịch: dd/mm/yyyy`, an empty row,
Vietnamese headers on row 4, one row per transaction from row 5, and a last
row with `Tổng cộng` in column B and the sum of `Số tiền` in column G. Money
cells are numbers; `Thực nhận` is negative for a refund.
"""

import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from core.clock import BUSINESS_TZ
from reconciliation.parsers.base import (
    Kind,
    Line,
    SettlementFormatError,
    Status,
    check_net,
    check_window,
    date_in_name,
    local_time,
)

CODE = "viettel"
SHEET = "DoiSoat"
TITLE = "BÁO CÁO ĐỐI SOÁT GIAO DỊCH VIETTEL MONEY"
HEADERS = [
    "STT",
    "Mã giao dịch",
    "Loại GD",
    "Thời gian",
    "Tài khoản nhận",
    "Mã tham chiếu",
    "Số tiền",
    "Phí",
    "Thực nhận",
    "Mã GD gốc",
]
TOTAL_LABEL = "Tổng cộng"
KINDS = {"Thanh toán": Kind.PAYMENT, "Hoàn tiền": Kind.REFUND}
NAMES = {kind: name for name, kind in KINDS.items()}
NAME_RE = re.compile(r"VIETTEL_DOISOAT_(\d{8})\.xlsx")
DATE_RE = re.compile(r"Ngày giao dịch:\s*(\d{2}/\d{2}/\d{4})")
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
ACCOUNT_RE = re.compile(r"[0-9]{1,19}")
REFERENCE_RE = re.compile(r"[A-Z0-9]{0,25}")
FIRST_DATA_ROW = 5


def file_name(business_date: dt.date) -> str:
    return f"VIETTEL_DOISOAT_{business_date:%Y%m%d}.xlsx"


def date_from_name(name: str) -> dt.date | None:
    return date_in_name(NAME_RE, name)


def parse(content: bytes, *, business_date: dt.date) -> Iterator[Line]:
    # calamine (Rust) reads a 100,000-row sheet several times faster than openpyxl.
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = book.sheet_names
    except Exception:  # noqa: BLE001 — whatever calamine cannot read is not a spreadsheet we accept
        raise SettlementFormatError(_("tệp không phải bảng tính XLSX đọc được")) from None
    if not names or names[0] != SHEET:
        raise SettlementFormatError(_("trang tính đầu tiên phải tên „%(sheet)s“") % {"sheet": SHEET}, field="sheet")
    try:
        # The sheet's XML is read here, not when the workbook opens: a sheet
        # missing from the archive or broken inside it only shows now.
        rows = book.get_sheet_by_name(SHEET).iter_rows()
    except Exception:  # noqa: BLE001 — same as above: an unreadable sheet is not one we accept
        raise SettlementFormatError(
            _("không đọc được trang tính „%(sheet)s“: tệp XLSX hỏng") % {"sheet": SHEET}, field="sheet"
        ) from None
    yield from _parse_rows(rows, business_date)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _parse_rows(rows: Iterator[Sequence[Any]], business_date: dt.date) -> Iterator[Line]:
    width = len(HEADERS)
    total_seen = False
    sum_amount = 0
    expected_stt = 1
    for row_no, row in enumerate(rows, start=1):
        cells = (tuple(row) + (None,) * width)[:width]
        if any(_text(v) for v in tuple(row)[width:]):
            raise SettlementFormatError(_("có dữ liệu ngoài 10 cột"), line=row_no)
        if row_no == 1:
            if _text(cells[0]) != TITLE:
                raise SettlementFormatError(
                    _("ô A1 phải là tiêu đề „%(title)s“") % {"title": TITLE}, line=1, field="A1"
                )
            continue
        if row_no == 2:
            _check_date_row(_text(cells[0]), business_date)
            continue
        if row_no == 3:
            continue
        if row_no == 4:
            found = [_text(v) for v in cells]
            if found != HEADERS:
                missing = [h for h in HEADERS if h not in found]
                raise SettlementFormatError(
                    _("dòng tiêu đề cột không đúng; thiếu hoặc sai: %(columns)s")
                    % {"columns": ", ".join(missing) or ", ".join(HEADERS)},
                    line=4,
                    field=(missing or HEADERS)[0],
                )
            continue
        if all(v is None or _text(v) == "" for v in cells):
            continue
        if total_seen:
            raise SettlementFormatError(_("có dữ liệu sau dòng Tổng cộng"), line=row_no)
        if _text(cells[1]) == TOTAL_LABEL:
            declared = _money(cells[6], row_no, "Số tiền")
            if declared != sum_amount:
                raise SettlementFormatError(
                    _("dòng Tổng cộng ghi %(declared)d đồng nhưng cột Số tiền cộng lại %(found)d đồng")
                    % {"declared": declared, "found": sum_amount},
                    line=row_no,
                    field="Số tiền",
                )
            total_seen = True
            continue
        line = _line(cells, row_no, business_date, expected_stt)
        expected_stt += 1
        sum_amount += line.amount
        yield line
    if not total_seen:
        raise SettlementFormatError(_("thiếu dòng Tổng cộng ở cuối bảng"), field=TOTAL_LABEL)


def _check_date_row(text: str, business_date: dt.date) -> None:
    match = DATE_RE.fullmatch(text)
    declared = None
    if match:
        try:
            declared = dt.datetime.strptime(match.group(1), "%d/%m/%Y").date()
        except ValueError:
            declared = None
    if declared is None:
        raise SettlementFormatError(
            _("ô A2 phải là „Ngày giao dịch: dd/mm/yyyy“, đang là „%(value)s“") % {"value": text},
            line=2,
            field="Ngày giao dịch",
        )
    if declared != business_date:
        raise SettlementFormatError(
            _("ngày giao dịch %(declared)s khác ngày trong tên tệp %(named)s")
            % {"declared": declared.strftime("%d/%m/%Y"), "named": business_date.strftime("%d/%m/%Y")},
            line=2,
            field="Ngày giao dịch",
        )


def _money(value: object, row_no: int, field: str, *, allow_negative: bool = False) -> int:
    """A numeric cell holding whole đồng. Excel keeps numbers as floats, so an
    integral float is whole đồng; text or a fraction is refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SettlementFormatError(
            _("„%(value)s“ không phải ô số") % {"value": _text(value)}, line=row_no, field=field
        )
    if isinstance(value, float):
        if not value.is_integer():
            raise SettlementFormatError(
                _("số tiền %(value)s không phải số nguyên đồng") % {"value": value}, line=row_no, field=field
            )
        value = int(value)
    if value < 0 and not allow_negative:
        raise SettlementFormatError(_("số tiền không được âm"), line=row_no, field=field)
    return value


def _line(cells: tuple, row_no: int, business_date: dt.date, expected_stt: int) -> Line:
    stt, txn_id, kind_text, time_text, account, reference, amount, fee, net, original = cells
    stt_text = _text(stt)
    if stt_text not in (str(expected_stt), f"{expected_stt}.0"):
        raise SettlementFormatError(
            _("số thứ tự „%(value)s“ không đúng (cần %(expected)d)") % {"value": stt_text, "expected": expected_stt},
            line=row_no,
            field="STT",
        )
    txn_id = _text(txn_id)
    if not ID_RE.fullmatch(txn_id):
        raise SettlementFormatError(
            _("mã giao dịch „%(value)s“ không hợp lệ") % {"value": txn_id}, line=row_no, field="Mã giao dịch"
        )
    kind = KINDS.get(_text(kind_text))
    if kind is None:
        raise SettlementFormatError(
            _("loại giao dịch „%(value)s“ không hợp lệ (Thanh toán hoặc Hoàn tiền)") % {"value": _text(kind_text)},
            line=row_no,
            field="Loại GD",
        )
    when = local_time(
        _text(time_text), "%d/%m/%Y %H:%M:%S", line=row_no, field="Thời gian", shown="dd/MM/yyyy HH:mm:ss"
    )
    check_window(when, business_date, line=row_no, field="Thời gian")
    account = _text(account)
    if not ACCOUNT_RE.fullmatch(account):
        raise SettlementFormatError(
            _("số tài khoản „%(value)s“ không hợp lệ") % {"value": account}, line=row_no, field="Tài khoản nhận"
        )
    reference = _text(reference)
    if not REFERENCE_RE.fullmatch(reference):
        raise SettlementFormatError(
            _("mã tham chiếu „%(value)s“ không hợp lệ") % {"value": reference}, line=row_no, field="Mã tham chiếu"
        )
    original = _text(original)
    if kind == Kind.REFUND and not ID_RE.fullmatch(original):
        raise SettlementFormatError(_("giao dịch hoàn tiền phải ghi mã giao dịch gốc"), line=row_no, field="Mã GD gốc")
    line = Line(
        row_no,
        txn_id,
        kind,
        Status.COMPLETED,
        when,
        account,
        reference,
        _money(amount, row_no, "Số tiền"),
        _money(fee, row_no, "Phí"),
        _money(net, row_no, "Thực nhận", allow_negative=True),
        original,
        "",
    )
    check_net(line, field="Thực nhận")
    return line


def render(lines: list[Line], *, business_date: dt.date) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append([TITLE])
    sheet.append([f"Ngày giao dịch: {business_date:%d/%m/%Y}"])
    sheet.append([])
    sheet.append(HEADERS)
    total = 0
    for number, line in enumerate(lines, start=1):
        sheet.append(
            [
                number,
                line.partner_txn_id,
                NAMES[line.kind],
                line.completed_at.astimezone(BUSINESS_TZ).strftime("%d/%m/%Y %H:%M:%S"),
                line.account,
                line.reference,
                line.amount,
                line.fee,
                line.net_amount,
                line.original_txn_id,
            ]
        )
        total += line.amount
    sheet.append([None, TOTAL_LABEL, None, None, None, None, total])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
