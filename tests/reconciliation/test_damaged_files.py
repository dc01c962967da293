"""Damaged settlement files that once escaped as a 500 or a dropped database
connection (found by `make proof`'s parser fuzz): each is now rejected whole
with a short reason, and the connection stays usable."""

import pytest
from django.db import connection

from core.errors import ValidationFailed
from reconciliation.models import SettlementFile, SettlementLine
from reconciliation.parsers.base import SettlementFormatError
from tests.damage import with_member
from tests.reconciliation.files import (
    MBF_GOOD,
    MBF_NAME,
    VIETTEL_NAME,
    VNPT_GOOD,
    VNPT_NAME,
    assert_rejected,
    import_file,
    viettel_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "data",
    [
        None,
        b"\xff\xfe garbage",
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetD',
    ],
    ids=["sheet missing", "sheet not XML", "sheet cut short"],
)
def test_a_viettel_workbook_whose_sheet_cannot_be_read_is_rejected(operator, data):
    content = with_member(viettel_xlsx(), "xl/worksheets/sheet1.xml", data)

    with pytest.raises(ValidationFailed) as caught:
        import_file(VIETTEL_NAME, content, operator)

    assert "„DoiSoat“" in caught.value.message
    assert "sheet" in caught.value.errors
    assert not SettlementFile.objects.exists()


def test_a_huge_cell_is_quoted_by_its_start_and_the_connection_survives(operator):
    """The reason used to quote 400,000 characters; raised inside the COPY, it
    went to PostgreSQL as the COPY's failure message, which the server
    answers by closing the connection."""
    lines = VNPT_GOOD.splitlines()
    lines[2] = "x" * 400_000 + lines[2][lines[2].index(",") :]
    content = ("\n".join(lines) + "\n").encode()

    with pytest.raises(ValidationFailed) as caught:
        import_file(VNPT_NAME, content, operator)

    message = caught.value.message
    assert "Dòng 3" in message and "„transaction_id“" in message
    assert len(message) < 600
    assert not SettlementLine.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_quoted_value_is_cut_but_a_short_one_is_kept_whole():
    long = SettlementFormatError("mã giao dịch „" + "A" * 5000 + "“ không hợp lệ", line=7, field="txn_ref")
    short = SettlementFormatError("mã giao dịch „ABC“ không hợp lệ", line=7, field="txn_ref")

    assert long.message == "Dòng 7, cột „txn_ref“: mã giao dịch „" + "A" * 120 + "…“ không hợp lệ"
    assert short.message == "Dòng 7, cột „txn_ref“: mã giao dịch „ABC“ không hợp lệ"


def test_a_mobifone_remark_longer_than_the_column_is_kept_cut(operator):
    """The remark went to a 200-character column whole, and COPY failed."""
    remark = "C4VK7M2Q9XA " + "rau cải " * 60
    content = MBF_GOOD.replace("C4VK7M2Q9XA Thanh toan", remark).encode()

    settlement = import_file(MBF_NAME, content, operator).file

    line = SettlementLine.objects.get(file=settlement, line_no=2)
    assert (line.description, line.reference) == (remark[:200], "C4VK7M2Q9XA")


def test_a_nul_byte_in_a_mobifone_remark_rejects_the_file_naming_the_line(operator):
    content = MBF_GOOD.replace("Thanh toan", "Thanh\x00toan").encode()

    assert_rejected(MBF_NAME, content, operator, line=2, field="remark")
