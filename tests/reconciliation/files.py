"""Hand-written settlement files of each partner, and importing them the
way an operator does, for the parser and damaged-file tests."""

import io

import pytest
from openpyxl import Workbook

from core.errors import ValidationFailed
from reconciliation import services
from reconciliation.models import SettlementFile, SettlementLine
from tests.reconciliation.kit import VNPT_HEADER

VNPT_NAME = "VNPT_SETTLEMENT_20261120.csv"
VNPT_GOOD = (
    VNPT_HEADER
    + "VNPT2611200000123,PAYMENT,2026-11-20T08:15:29+07:00,0912345678,C4VK7M2Q9XA,45000,0,45000,\n"
    + "VNPT2611200000456,REFUND,2026-11-20T09:02:11+07:00,0912345678,,45000,0,-45000,VNPT2611200000123\n"
    + "VNPT2611200000789,PAYMENT,2026-11-19T23:59:58+07:00,0912345678,C4VK7M2Q9XA,120000,1200,118800,\n"
)


def import_file(name: str, content: bytes, operator):
    return services.settlement_file_import(actor=operator, file_name=name, content=content, channel="upload")


def assert_rejected(name: str, content: bytes, operator, *, line: int | None, field: str | None):
    with pytest.raises(ValidationFailed) as caught:
        import_file(name, content, operator)
    message = caught.value.message
    if line is not None:
        assert f"dòng {line}" in message.lower(), message
    if field is not None:
        assert f"„{field}“" in message, message
        assert field in caught.value.errors, caught.value.errors
    assert not SettlementFile.objects.exists()
    assert not SettlementLine.objects.exists()
    return message


VIETTEL_NAME = "VIETTEL_DOISOAT_20261120.xlsx"
VIETTEL_HEADERS = [
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
VIETTEL_ROWS = [
    [1, "VT26112008153012345", "Thanh toán", "20/11/2026 08:15:30", "0987654321", "C4VK7M2Q9XA", 45000, 0, 45000, ""],
    [
        2,
        "VT26112009000000001",
        "Hoàn tiền",
        "20/11/2026 09:00:00",
        "0987654321",
        "",
        45000,
        0,
        -45000,
        "VT26112008153012345",
    ],
]


def viettel_xlsx(rows=None, *, date_row="Ngày giao dịch: 20/11/2026", headers=None, total=None, sheet="DoiSoat"):
    rows = VIETTEL_ROWS if rows is None else rows
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(["BÁO CÁO ĐỐI SOÁT GIAO DỊCH VIETTEL MONEY"])
    ws.append([date_row])
    ws.append([])
    ws.append(headers or VIETTEL_HEADERS)
    for row in rows:
        ws.append(row)
    ws.append([None, "Tổng cộng", None, None, None, None, sum(r[6] for r in rows) if total is None else total])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MBF_NAME = "MBF_20261120.txt"
MBF_GOOD = (
    "H|MOBIFONE MONEY|20261120|CT4VMBF\n"
    "D|MBF-20261120-000123|SUCCESS|20261120081529|0901234567|45000|450|C4VK7M2Q9XA Thanh toan\n"
    "D|MBF-20261120-000124|REVERSED|20261120091000|0901234567|30000|0|\n"
    "T|2|45000\n"
)
