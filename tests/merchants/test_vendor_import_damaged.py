"""Damaged sheets and odd cells that once answered 500 (found by `make
proof`'s parser fuzz): a broken file is refused whole with its reason, an
odd cell rejects its row only, and the other rows are imported whole."""

import io
import zipfile

import pytest

from merchants.models import PaymentCode, Vendor, WalletAccount
from tests.damage import with_member
from tests.merchants.sheets import GOOD_1, GOOD_2, HEADER, csv_bytes, upload

pytestmark = pytest.mark.django_db


def _good_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in (HEADER, GOOD_1, GOOD_2):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _inflate_error(content: bytes) -> bytes:
    """The sheet's compressed bytes damaged, its header intact: the archive
    opens, and inflating the sheet fails halfway."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(content)
    damaged[start + info.compress_size // 2] ^= 0xFF
    return bytes(damaged)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda c: with_member(c, "xl/styles.xml", b"\xff not xml"), "Không đọc được tệp Excel"),
        (lambda c: with_member(c, "[Content_Types].xml", b"<Types"), "Không đọc được tệp Excel"),
        (lambda c: with_member(c, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row"), "Không đọc được"),
        (lambda c: with_member(c, "xl/worksheets/sheet1.xml", None), "không có trang tính"),
        (_inflate_error, "Không đọc được tệp Excel"),
    ],
    ids=["styles not XML", "content types cut", "sheet cut short", "sheet missing", "sheet fails to inflate"],
)
def test_a_damaged_workbook_is_refused_whole_with_its_reason(api_for, board_a, market_a, damage, reason):
    response = upload(api_for(board_a), market_a, damage(_good_xlsx()), dry_run=False, name="hong.xlsx")

    assert response.status_code == 422, response.content
    assert reason in response.json()["detail"]
    assert not Vendor.objects.exists()


def test_a_csv_cell_over_the_csv_limit_names_its_line(api_for, board_a, market_a):
    huge = [*GOOD_2[:2], "x" * 200_000, *GOOD_2[3:]]

    response = upload(api_for(board_a), market_a, csv_bytes([HEADER, GOOD_1, huge]), dry_run=False)

    assert response.status_code == 422
    assert response.json()["errors"]["file"] == ["Tệp CSV sai định dạng ở dòng 3: có ô dài quá 131.072 ký tự"]
    assert not Vendor.objects.exists()


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [
        (4, "092²86000222", "national_id"),  # int("²") raised
        (4, "092١٨٦٠٠٠٢٢٢", "national_id"),  # was stored with Arabic-Indic digits
        (3, "098١٢٣٤٥٦٧", "phone"),
        (8, "098١٢٣٤٥٦٧", "wallet_viettel"),  # the QR payload builder raised
        (2, "Rau\x00sạch", "trade_name"),  # PostgreSQL refused the NUL
        (2, "Rau\u200bsạch", "trade_name"),
        (2, "\u202eRau sạch", "trade_name"),
        (2, "٠٩٢١٨٦٠٠٠١٢٣", "trade_name"),  # nothing left for the QR code's name: issuing raised
        (1, "陳 大文", "full_name"),
    ],
)
def test_an_odd_cell_rejects_its_row_and_the_rest_is_imported_whole(api_for, board_a, market_a, column, value, field):
    odd = list(GOOD_2)
    odd[column] = value

    response = upload(api_for(board_a), market_a, csv_bytes([HEADER, GOOD_1, odd]), dry_run=False)

    assert response.status_code == 200, response.content
    rows = response.json()["rows"]
    assert [r["outcome"] for r in rows] == ["created", "rejected"]
    assert list(rows[1]["errors"]) == [field]
    vendor = Vendor.objects.get()
    assert vendor.stall_number == GOOD_1[0]
    account = WalletAccount.objects.get()
    assert (account.vendor, account.account_number) == (vendor, GOOD_1[7])
    assert PaymentCode.objects.get().wallet_account == account


def test_an_unknown_category_is_quoted_by_its_start(api_for, board_a, market_a):
    odd = list(GOOD_2)
    odd[5] = "x" * 5000

    report = upload(api_for(board_a), market_a, csv_bytes([HEADER, odd]), dry_run=True).json()

    assert report["rows"][0]["errors"]["category"] == ["Ngành hàng “" + "x" * 40 + "…” không có trong danh mục"]
