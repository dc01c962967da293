"""Bulk import of a market's vendors from the board's XLSX or CSV sheet.

The sheet is read whole and every row validated before anything is written.
A bad row is reported with its reasons and skipped; the good ones are written
together in one transaction (`services.vendor_batch_save`), so no vendor is
ever half-created. Rows are matched to vendors by stall number, so importing
the same file again changes nothing. This module only reads: the sheet, and
the market's vendors and accounts to plan against.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.utils.translation import gettext as _

from core.actors import Actor
from core.errors import ValidationFailed
from core.partners import Partner
from merchants import services
from merchants import validation as v
from merchants.models import GoodsCategory, Market, Vendor, VendorStatus, WalletAccount
from merchants.services import VendorFields

if TYPE_CHECKING:  # openpyxl loads when a sheet is read or written, not at start-up
    from openpyxl.worksheet.worksheet import Worksheet

MAX_ROWS = 50_000

# Column headers of the template, in order: (field, header).
COLUMNS: list[tuple[str, str]] = [
    ("stall_number", "Số sạp"),
    ("full_name", "Họ và tên"),
    ("trade_name", "Tên cửa hàng"),
    ("phone", "Số điện thoại"),
    ("national_id", "Số CCCD"),
    ("category", "Ngành hàng"),
    ("consent", "Đã đồng ý xử lý dữ liệu"),
    ("wallet_vnpt", "Ví VNPT Money"),
    ("wallet_viettel", "Ví Viettel Money"),
    ("wallet_mobifone", "Ví MobiFone Money"),
]
REQUIRED = {"stall_number", "full_name", "phone", "national_id", "category", "consent"}
WALLET_COLUMNS = {"wallet_vnpt": Partner.VNPT, "wallet_viettel": Partner.VIETTEL, "wallet_mobifone": Partner.MOBIFONE}
HEADERS = dict(COLUMNS)
YES = {"có", "co", "x", "yes", "1", "đồng ý", "dong y", "true"}


@dataclass
class RowResult:
    row: int
    stall_number: str
    outcome: str = "rejected"  # created, updated, unchanged, rejected
    errors: dict[str, list[str]] = field(default_factory=dict)
    values: VendorFields = field(default_factory=VendorFields)
    accounts: list[tuple[str, str]] = field(default_factory=list)
    vendor: Vendor | None = None
    new_accounts: list[tuple[str, str]] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)

    def problems(self) -> list[dict[str, str]]:
        """Each reason on its own, with its column and the value the sheet
        holds there, so a row with three faults reads as three."""
        return [
            {"column": HEADERS.get(name, name), "value": _shown(self.raw.get(name, "")), "reason": reason}
            for name, reasons in self.errors.items()
            for reason in reasons
        ]


def _shown(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"  # a whole huge cell would hide the reason


def template_rows() -> list[list[str]]:
    # An example no real sheet or the demo data holds: stall "MAU-01" (a
    # stall of the demo is one letter, a dash and three digits), a phone of
    # prefix 086 and a CCCD of province 001, neither of which the demo draws.
    example = [
        "MAU-01",
        "Nguyễn Thị Lan",
        "Rau sạch Cô Lan",
        "0861234567",
        "001186000123",
        str(GoodsCategory.VEGETABLES.label),
        "Có",
        "0861234567",
        "",
        "",
    ]
    return [[header for _, header in COLUMNS], example]


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = cast("Worksheet", book.active)  # a new workbook holds one worksheet, the active one
    sheet.title = "TieuThuong"
    for row in template_rows():
        sheet.append(row)
    for index, width in enumerate([10, 24, 24, 14, 16, 20, 12, 16, 16, 16], start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    # Text format keeps leading zeros of phones and CCCD numbers.
    for column in "ADEHIJ":
        for cell in sheet[column][1:500]:
            cell.number_format = "@"
    categories = DataValidation(type="list", formula1='"' + ",".join(str(c.label) for c in GoodsCategory) + '"')
    sheet.add_data_validation(categories)
    categories.add("F2:F20000")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header_key(text: object) -> str:
    return v.normalize_text(str(text or "")).casefold()


def read_rows(filename: str, content: bytes) -> list[list[str]]:
    """Every row of an XLSX or CSV sheet as text; the register import reads sheets the same way."""
    if not content:
        raise ValidationFailed.single("file", _("Tệp trống"))
    is_xlsx = filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK"
    return _read_xlsx(content) if is_xlsx else _read_csv(content)


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    # A damaged archive fails in many ways (bad zip, inflate errors, broken
    # XML, a missing sheet) and some only once the sheet's rows are read, so
    # the whole read is one guarded step; nothing is written before it ends.
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            if not book.worksheets:
                raise ValidationFailed.single("file", _("Tệp Excel không có trang tính nào"))
            rows = []
            for values in book.worksheets[0].iter_rows(values_only=True):
                rows.append(["" if cell is None else _cell_text(cell) for cell in values])
                if len(rows) > MAX_ROWS + 1:
                    break
        finally:
            book.close()
    except ValidationFailed:
        raise
    except Exception as exc:  # noqa: BLE001 — whatever openpyxl cannot read is not a sheet we accept
        raise ValidationFailed.single(
            "file", _("Không đọc được tệp Excel (.xlsx): tệp hỏng hoặc sai định dạng")
        ) from exc
    return rows


def _cell_text(cell: object) -> str:
    # Excel stores a typed number as a float; 912345678.0 must read as digits.
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _read_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed.single("file", _("Tệp CSV phải được lưu với mã hóa UTF-8")) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as exc:
        # The csv module's own words are English; the board needs the line.
        if "field limit" in str(exc):
            reason = _("có ô dài quá %(max)s ký tự") % {"max": f"{csv.field_size_limit():,}".replace(",", ".")}
        else:
            reason = _("không tách được thành các ô")
        raise ValidationFailed.single(
            "file", _("Tệp CSV sai định dạng ở dòng %(line)s: %(reason)s") % {"line": reader.line_num, "reason": reason}
        ) from exc


def map_header(
    header: list[str], columns: list[tuple[str, str]] = COLUMNS, required: set[str] = REQUIRED
) -> dict[str, int]:
    """Where each known column is, by its header (or field name); a missing
    required column refuses the file."""
    known = {_header_key(text): name for name, text in columns}
    known.update({name: name for name, _text in columns})
    headers = dict(columns)
    positions: dict[str, int] = {}
    for index, text in enumerate(header):
        name = known.get(_header_key(text))
        if name and name not in positions:
            positions[name] = index
    missing = [headers[name] for name, _text in columns if name in required and name not in positions]
    if missing:
        raise ValidationFailed.single(
            "file", _("Thiếu cột: %(columns)s (hãy dùng tệp mẫu)") % {"columns": ", ".join(missing)}
        )
    return positions


def _parse(filename: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    rows = read_rows(filename, content)
    if not rows:
        raise ValidationFailed.single("file", _("Tệp không có dòng tiêu đề"))
    if len(rows) > MAX_ROWS + 1:
        raise ValidationFailed.single("file", _("Tệp có quá %(max)s dòng; hãy chia nhỏ") % {"max": MAX_ROWS})
    positions = map_header(rows[0])
    parsed = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(str(c).strip() for c in cells):
            continue
        values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in positions.items()}
        national_id = values.get("national_id", "")
        if len(national_id) == 11 and national_id.isdigit():
            # A number-formatted column drops the leading zero of province codes 001–096.
            values["national_id"] = "0" + national_id
        parsed.append((number, values))
    return parsed


def _validate_row(number: int, raw: dict[str, str]) -> RowResult:
    result = RowResult(row=number, stall_number=raw.get("stall_number", ""), raw=raw)
    try:
        result.values = services.clean_vendor_fields(services.vendor_fields_of(raw))
    except ValidationFailed as exc:
        result.errors.update(exc.errors)
    if _header_key(raw.get("consent")) not in YES:
        result.errors.setdefault("consent", []).append(
            _("Cột “%(column)s” phải là “Có”: cần tiểu thương đồng ý trước khi đăng ký")
            % {"column": HEADERS["consent"]}
        )
    for column, partner in WALLET_COLUMNS.items():
        if raw.get(column):
            try:
                result.accounts.append((partner.value, v.clean_account_number(raw[column], column)))
            except ValidationFailed as exc:
                result.errors.update(exc.errors)
    if result.values.get("stall_number"):
        result.stall_number = result.values["stall_number"]
    return result


def _reject(result: RowResult, field_name: str, reason: str) -> None:
    result.errors.setdefault(field_name, []).append(reason)
    result.outcome = "rejected"


def _plan(market: Market, results: list[RowResult]) -> None:
    """Decide each valid row's outcome against the file and the database."""
    existing = {
        vendor.stall_number: vendor
        for vendor in Vendor.objects.filter(market=market).exclude(status=VendorStatus.CLOSED)
    }
    held = {
        (a.partner, a.account_number): a.vendor_id
        for a in WalletAccount.objects.filter(is_active=True).only("partner", "account_number", "vendor_id")
    }
    seen_stalls: dict[str, int] = {}
    seen_accounts: dict[tuple[str, str], int] = {}
    for result in results:
        if result.errors:
            continue
        stall = result.values["stall_number"]
        if stall in seen_stalls:
            _reject(
                result,
                "stall_number",
                _("Sạp %(stall)s trùng với dòng %(row)s") % {"stall": stall, "row": seen_stalls[stall]},
            )
            continue
        seen_stalls[stall] = result.row
        vendor = existing.get(stall)
        if vendor is not None and vendor.national_id != result.values["national_id"]:
            _reject(
                result,
                "national_id",
                _("Sạp %(stall)s đang thuộc một tiểu thương khác (số CCCD khác); hãy cho tiểu thương cũ nghỉ trước")
                % {"stall": stall},
            )
            continue
        for key in result.accounts:
            holder = held.get(key)
            if key in seen_accounts:
                _reject(
                    result, f"wallet_{key[0]}", _("Số tài khoản trùng với dòng %(row)s") % {"row": seen_accounts[key]}
                )
            elif holder is not None and (vendor is None or holder != vendor.pk):
                _reject(result, f"wallet_{key[0]}", _("Số tài khoản này đã thuộc một tiểu thương khác"))
            else:
                seen_accounts[key] = result.row
                if holder is None:
                    result.new_accounts.append(key)
        if result.errors:
            continue
        result.vendor = vendor
        if vendor is None:
            result.outcome = "created"
        elif any(getattr(vendor, k) != val for k, val in result.values.items()) or result.new_accounts:
            result.outcome = "updated"
        else:
            result.outcome = "unchanged"


PROGRESS_EVERY = 500


def vendor_import(
    *,
    actor: Actor,
    market: Market,
    filename: str,
    content: bytes,
    dry_run: bool,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Validate a sheet and, unless it is a dry run, write its good rows.

    `progress(done, total)` is told how far validation has come, so a page
    can show a long import moving."""
    parsed = _parse(filename, content)
    results = []
    for index, (number, raw) in enumerate(parsed, start=1):
        results.append(_validate_row(number, raw))
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, len(parsed))
    _plan(market, results)
    if not dry_run:
        rows = [
            services.VendorRow(fields=r.values, vendor=r.vendor, new_accounts=tuple(r.new_accounts))
            for r in results
            if r.outcome in ("created", "updated")
        ]
        services.vendor_batch_save(actor=actor, market=market, rows=rows)
    counts = {outcome: 0 for outcome in ("created", "updated", "unchanged", "rejected")}
    for result in results:
        counts[result.outcome] += 1
    return {
        "dry_run": dry_run,
        "total_rows": len(results),
        **counts,
        "rows": [
            {
                "row": r.row,
                "stall_number": r.stall_number,
                "outcome": r.outcome,
                "errors": r.errors,
                "problems": r.problems(),
            }
            for r in results
        ],
    }
