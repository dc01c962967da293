"""Each partner's settlement format, read from hand-written files: good files
import line for line; every kind of corruption rejects the whole file with an
error naming the line and the field, and imports nothing."""

import io

import pytest
from openpyxl import Workbook

from core.errors import ValidationFailed
from reconciliation.models import SettlementFile, SettlementLine
from reconciliation.parsers import NotStrictShape, vnpt
from tests.reconciliation.files import (
    MBF_GOOD,
    MBF_NAME,
    VIETTEL_HEADERS,
    VIETTEL_NAME,
    VIETTEL_ROWS,
    VNPT_GOOD,
    VNPT_NAME,
    assert_rejected,
    import_file,
    viettel_xlsx,
)
from tests.reconciliation.kit import DAY, VNPT_HEADER, at

pytestmark = pytest.mark.django_db


def test_vnpt_file_is_read_line_for_line(operator):
    imported = import_file(VNPT_NAME, VNPT_GOOD.encode(), operator)

    assert imported.created
    settlement = imported.file
    assert (settlement.partner, settlement.business_date.isoformat()) == ("vnpt", "2026-11-20")
    lines = list(SettlementLine.objects.filter(file=settlement).order_by("line_no"))
    assert [(x.line_no, x.partner_txn_id, x.kind, x.amount, x.fee, x.net_amount) for x in lines] == [
        (2, "VNPT2611200000123", "payment", 45000, 0, 45000),
        (3, "VNPT2611200000456", "refund", 45000, 0, -45000),
        (4, "VNPT2611200000789", "payment", 120000, 1200, 118800),
    ]
    assert lines[1].original_txn_id == "VNPT2611200000123"
    assert lines[0].reference == "C4VK7M2Q9XA"
    assert (settlement.line_count, settlement.total_amount, settlement.total_fee) == (3, 210000, 1200)


def test_the_same_file_twice_is_imported_once(operator):
    first = import_file(VNPT_NAME, VNPT_GOOD.encode(), operator)
    again = import_file(VNPT_NAME, VNPT_GOOD.encode(), operator)

    assert not again.created and again.file.pk == first.file.pk
    assert SettlementLine.objects.count() == 3


def test_a_vnpt_file_reads_the_same_whatever_its_line_ends(operator):
    # "\n" files take the strict path (COPY as received on PostgreSQL), "\r\n"
    # files the line-by-line parse: the lines stored must be the same.
    text = (
        VNPT_GOOD
        + "VNPT2611200000123,PAYMENT,2026-11-20T08:15:29+07:00,0912345678,C4VK7M2Q9XA,45000,0,45000,\n"
        + "VNPT2611200000999,PAYMENT,2026-11-20T01:00:00Z,,PAYMENT,7000,70,6930,\n"
    )
    unix = import_file(VNPT_NAME, text.encode(), operator).file
    dos = import_file(VNPT_NAME, text.replace("\n", "\r\n").encode(), operator).file

    def stored(settlement):
        return list(
            SettlementLine.objects.filter(file=settlement)
            .order_by("line_no")
            .values_list(
                "line_no",
                "partner_txn_id",
                "kind",
                "status",
                "completed_at",
                "account",
                "reference",
                "amount",
                "fee",
                "net_amount",
                "original_txn_id",
                "description",
                "is_duplicate",
            )
        )

    assert unix.pk != dos.pk
    assert stored(unix) == stored(dos)
    assert [row[-1] for row in stored(unix)] == [False, False, False, True, False]
    assert stored(unix)[4][2:8] == ("payment", "completed", at(DAY, 8), "", "PAYMENT", 7000)


def test_the_strict_shape_writes_types_in_the_parsers_words_unless_a_reference_could_be_one():
    # The fast path must really take a plain file (the equal results above
    # would hide it falling back every time), and must give up on a file whose
    # reference reads like a type, which a plain replace would rewrite too.
    plain = [line for piece in vnpt.strict_body(VNPT_GOOD.encode()) for line in piece]
    assert [line.split(b",")[1] for line in plain] == [b"payment", b"refund", b"payment"]

    with_type_as_reference = VNPT_GOOD + "VNPT2611200000999,PAYMENT,2026-11-20T01:00:00Z,,REFUND,7000,70,6930,\n"
    with pytest.raises(NotStrictShape):
        list(vnpt.strict_body(with_type_as_reference.encode()))


# Over a megabyte of good lines: the strict path reads it in several pieces.
LARGE_BODY = "".join(
    f"VNPT26112{i:08d},PAYMENT,2026-11-20T08:15:29+07:00,0912345678,C4VK7M2Q9XA,{1000 + i},0,{1000 + i},\n"
    for i in range(14_000)
)


def test_repeated_ids_are_flagged_across_a_large_file(operator):
    # Over a megabyte, so the strict path reads it in several pieces: an id
    # repeated within a piece and one repeated pieces later are both flagged.
    body = LARGE_BODY
    repeats = "VNPT2611200000005,PAYMENT,2026-11-20T08:15:29+07:00,0912345678,C4VK7M2Q9XA,1005,0,1005,\n"
    text = VNPT_HEADER + repeats + body + repeats
    assert len(text) > 1_100_000
    unix = import_file(VNPT_NAME, text.encode(), operator).file
    dos = import_file(VNPT_NAME, text.replace("\n", "\r\n").encode(), operator).file

    def flagged(settlement):
        return list(
            SettlementLine.objects.filter(file=settlement, is_duplicate=True)
            .order_by("line_no")
            .values_list("line_no", "partner_txn_id")
        )

    assert flagged(unix) == flagged(dos) == [(8, "VNPT2611200000005"), (14_003, "VNPT2611200000005")]
    assert unix.line_count == dos.line_count == 14_002


def test_a_fault_far_into_a_large_file_rejects_it_whole(operator):
    # The strict path has already copied the first megabyte when it meets the
    # bad line; all of it is rolled back and the line-by-line parse names the line.
    body = LARGE_BODY
    bad = "VNPT2611299999999,PAYMENT,2026-11-20T08:15:29+07:00,0912345678,C4VK7M2Q9XA,12O00,0,12000,\n"
    assert_rejected(VNPT_NAME, (VNPT_HEADER + body + bad).encode(), operator, line=14_002, field="amount")


def _vnpt_with(line: str) -> bytes:
    return (VNPT_GOOD + line).encode()


@pytest.mark.parametrize(
    ("content", "line", "field"),
    [
        (VNPT_GOOD.replace(",fee,", ",").encode(), 1, "header"),
        (_vnpt_with("VNPT1,PAYMENT,2026-11-20T10:00:00+07:00,0912345678,,5000,0,5000\n"), 5, None),
        (_vnpt_with("VNPT1,PAYMENT,2026-11-31T10:00:00+07:00,0912345678,,5000,0,5000,\n"), 5, "completed_at"),
        (_vnpt_with("VNPT1,PAYMENT,20/11/2026 10:00,0912345678,,5000,0,5000,\n"), 5, "completed_at"),
        (_vnpt_with("VNPT1,PAYMENT,2026-11-20T10:00:00+07:00,0912345678,,5000.5,0,5000,\n"), 5, "amount"),
        (_vnpt_with("VNPT1,PAYMENT,2026-11-20T10:00:00+07:00,0912345678,,5000,abc,5000,\n"), 5, "fee"),
        (_vnpt_with("VNPT1,PAYMENT,2026-11-20T10:00:00+07:00,0912345678,,5000,100,5000,\n"), 5, "net_amount"),
        (_vnpt_with("VNPT1,PAYOUT,2026-11-20T10:00:00+07:00,0912345678,,5000,0,5000,\n"), 5, "type"),
        (
            _vnpt_with("VNPT1,REFUND,2026-11-20T10:00:00+07:00,0912345678,,5000,0,-5000,\n"),
            5,
            "original_transaction_id",
        ),
        # A line two days away: the file is not for the day its name says.
        (_vnpt_with("VNPT1,PAYMENT,2026-11-22T10:00:00+07:00,0912345678,,5000,0,5000,\n"), 5, "completed_at"),
    ],
    ids=[
        "missing-column-in-header",
        "missing-column-in-line",
        "impossible-date",
        "date-in-wrong-format",
        "non-integer-amount",
        "non-integer-fee",
        "net-does-not-add-up",
        "unknown-type",
        "refund-without-original",
        "business-date-differs-from-name",
    ],
)
def test_corrupt_vnpt_file_is_rejected_whole(operator, content, line, field):
    assert_rejected(VNPT_NAME, content, operator, line=line, field=field)


def test_a_file_whose_name_matches_no_partner_is_refused(operator):
    with pytest.raises(ValidationFailed) as caught:
        import_file("settlement.csv", VNPT_GOOD.encode(), operator)
    assert "file" in caught.value.errors
    assert not SettlementFile.objects.exists()


# --- Viettel ----------------------------------------------------------------


def test_viettel_file_is_read_with_its_total_row(operator):
    imported = import_file(VIETTEL_NAME, viettel_xlsx(), operator)

    lines = list(SettlementLine.objects.filter(file=imported.file).order_by("line_no"))
    assert [(x.line_no, x.partner_txn_id, x.kind, x.amount, x.net_amount) for x in lines] == [
        (5, "VT26112008153012345", "payment", 45000, 45000),
        (6, "VT26112009000000001", "refund", 45000, -45000),
    ]
    assert lines[0].completed_at.isoformat() == "2026-11-20T01:15:30+00:00"


def _viettel_row(**changes):
    row = list(VIETTEL_ROWS[0])
    for index, value in changes.items():
        row[int(index[1:])] = value
    return row


@pytest.mark.parametrize(
    ("content", "line", "field"),
    [
        (lambda: viettel_xlsx(headers=VIETTEL_HEADERS[:7] + VIETTEL_HEADERS[8:]), 4, "Phí"),
        (lambda: viettel_xlsx([_viettel_row(c3="31/11/2026 08:15:30")]), 5, "Thời gian"),
        (lambda: viettel_xlsx([_viettel_row(c3="2026-11-20 08:15:30")]), 5, "Thời gian"),
        (lambda: viettel_xlsx([_viettel_row(c6=45000.5, c8=45000.5)], total=45000.5), 5, "Số tiền"),
        (lambda: viettel_xlsx([_viettel_row(c6="45000")], total=45000), 5, "Số tiền"),
        (lambda: viettel_xlsx(total=45000), 7, "Số tiền"),
        (lambda: viettel_xlsx(date_row="Ngày giao dịch: 21/11/2026"), 2, "Ngày giao dịch"),
        (lambda: viettel_xlsx([_viettel_row(c3="25/11/2026 08:15:30")]), 5, "Thời gian"),
        (lambda: viettel_xlsx([_viettel_row(c8=44000)]), 5, "Thực nhận"),
        (lambda: viettel_xlsx([_viettel_row(c2="Chuyển khoản")]), 5, "Loại GD"),
    ],
    ids=[
        "missing-column",
        "impossible-date",
        "time-in-wrong-format",
        "non-integer-amount",
        "amount-as-text",
        "total-row-wrong",
        "date-row-differs-from-name",
        "line-on-another-day",
        "net-does-not-add-up",
        "unknown-type",
    ],
)
def test_corrupt_viettel_file_is_rejected_whole(operator, content, line, field):
    assert_rejected(VIETTEL_NAME, content(), operator, line=line, field=field)


def test_viettel_file_without_total_row_is_rejected(operator):
    book = Workbook()
    ws = book.active
    ws.title = "DoiSoat"
    for row in [
        ["BÁO CÁO ĐỐI SOÁT GIAO DỊCH VIETTEL MONEY"],
        ["Ngày giao dịch: 20/11/2026"],
        [],
        VIETTEL_HEADERS,
        VIETTEL_ROWS[0],
    ]:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    message = assert_rejected(VIETTEL_NAME, out.getvalue(), operator, line=None, field="Tổng cộng")
    assert "Tổng cộng" in message


def test_a_file_that_is_not_a_spreadsheet_is_rejected(operator):
    assert_rejected(VIETTEL_NAME, b"not a zip", operator, line=None, field=None)


# --- MobiFone ---------------------------------------------------------------


def test_mobifone_file_is_read_with_header_and_trailer(operator):
    imported = import_file(MBF_NAME, MBF_GOOD.encode(), operator)

    lines = list(SettlementLine.objects.filter(file=imported.file).order_by("line_no"))
    assert [(x.line_no, x.partner_txn_id, x.status, x.amount, x.fee, x.net_amount, x.reference) for x in lines] == [
        (2, "MBF-20261120-000123", "completed", 45000, 450, 44550, "C4VK7M2Q9XA"),
        (3, "MBF-20261120-000124", "reversed", 30000, 0, 0, ""),
    ]


@pytest.mark.parametrize(
    ("content", "line", "field"),
    [
        (MBF_GOOD.replace("T|2|45000", "T|3|45000"), 4, "count"),
        (MBF_GOOD.replace("T|2|45000", "T|2|75000"), 4, "total"),
        (MBF_GOOD.replace("T|2|45000\n", ""), None, "T"),
        (MBF_GOOD.replace("H|MOBIFONE MONEY|20261120", "H|MOBIFONE MONEY|20261121"), 1, "business_date"),
        (MBF_GOOD.replace("20261120081529", "20261131081529"), 2, "time"),
        (MBF_GOOD.replace("|45000|450|", "|45000.0|450|"), 2, "amount"),
        (MBF_GOOD.replace("|30000|0|\n", "|30000|0\n"), 3, "remark"),
        (MBF_GOOD.replace("|SUCCESS|", "|DONE|"), 2, "status"),
        (MBF_GOOD.replace("20261120091000", "20261125091000"), 3, "time"),
    ],
    ids=[
        "trailer-count-wrong",
        "trailer-total-wrong",
        "trailer-missing",
        "header-date-differs-from-name",
        "impossible-date",
        "non-integer-amount",
        "missing-column",
        "unknown-status",
        "line-on-another-day",
    ],
)
def test_corrupt_mobifone_file_is_rejected_whole(operator, content, line, field):
    assert_rejected(MBF_NAME, content.encode(), operator, line=line, field=field)
