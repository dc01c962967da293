"""The book as the vendor and the board get it: PDF and XLSX read back, the
verification page, who may have it, and the audit of every export."""

import datetime as dt
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from core.models import AuditEntry
from printables.links import vendor_token
from revenue.models import RevenueDocument
from tests.adoption.kit import NOW, local, make_vendor, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def lan(market_a, frozen):
    vendor = make_vendor(market_a, partners=("vnpt", "viettel"))
    payment = record(vendor, amount=1_250_000, at=local(dt.date(2026, 3, 31), 23, 59, 59), partner="vnpt")
    record(vendor, amount=300_000, at=local(dt.date(2026, 4, 1), 0, 0, 0), partner="viettel")
    record(vendor, amount=50_000, at=local(dt.date(2026, 4, 2), 8), partner="vnpt", kind="refund", original=payment)
    record(vendor, amount=999_000, at=local(dt.date(2026, 4, 3), 9), partner="vnpt", status="failed")
    return vendor


def _pdf_text(content: bytes) -> str:
    """The text of every page, lines joined: a sentence may wrap anywhere."""
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def _code_in(text: str) -> str:
    return re.search(r"Mã xác minh ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", text).group(1)


def test_the_vendor_downloads_a_pdf_that_says_what_it_covers(client, lan):
    response = client.get(f"/v/{vendor_token(lan)}/revenue.pdf?period=2026")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = _pdf_text(response.content)
    assert "SỔ DOANH THU BÁN HÀNG QUA CHỢ 4.0" in text
    assert "chỉ gồm các khoản thanh toán nhận qua mã QR Chợ 4.0" in text
    assert "Không gồm tiền mặt" in text
    assert lan.full_name in text and lan.market.name in text and lan.stall_number in text
    assert "092186000123" not in text and "092*******23" in text  # the CCCD masked
    assert "01/01/2026 – 20/11/2026" in text
    assert "Lập lúc 20/11/2026 15:00" in text
    assert "1.000.000.000 ₫" in text  # the threshold
    # The totals: 1.250.000 + 300.000 paid, 50.000 refunded, the failed one not counted.
    assert "1.550.000 ₫" in text and "50.000 ₫" in text and "1.500.000 ₫" in text
    assert "999.000" not in text
    # Refund and payment each on its own business date, midnight respected.
    assert "31/03/2026" in text and "01/04/2026" in text and "02/04/2026" in text
    assert "Quý I" in text and "Tháng 04/2026" in text


def test_the_xlsx_has_the_same_figures_as_numbers(client, lan):
    response = client.get(f"/v/{vendor_token(lan)}/revenue.xlsx?period=2026-Q2")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    facts = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True) if row and row[0]}
    assert facts["Số CCCD"] == "092*******23"
    assert facts["Kỳ"].startswith("quý II/2026: 01/04/2026 – 30/06/2026")
    whole = list(book["Tổng cộng theo ví"].iter_rows(min_row=2, values_only=True))
    assert whole == [
        ("quý II/2026", "VNPT Money", 0, 0, 1, 50_000, -50_000),
        ("quý II/2026", "Viettel Money", 1, 300_000, 0, 0, 300_000),
        ("quý II/2026", "Tất cả ví", 1, 300_000, 1, 50_000, 250_000),
    ]
    assert "Theo quý" not in book.sheetnames and "Theo tháng" in book.sheetnames


def test_the_verification_page_confirms_a_genuine_book_and_refuses_an_edited_code(client, lan):
    text = _pdf_text(client.get(f"/v/{vendor_token(lan)}/revenue.pdf?period=2026").content)
    code = _code_in(text)
    genuine = Client().get("/revenue/verify/", {"code": code})
    assert genuine.status_code == 200
    page = genuine.content.decode()
    assert "Sổ do Chợ 4.0 cấp" in page and "1.500.000 ₫" in page and "01/01/2026 – 20/11/2026" in page
    assert "khớp với số liệu hiện có" in page
    assert lan.full_name not in page and lan.stall_number not in page  # nothing but period and totals
    # Typed from paper: lower case, spaces instead of dashes.
    assert Client().get("/revenue/verify/", {"code": code.lower().replace("-", " ")}).status_code == 200
    last = code[-1]
    edited = code[:-1] + ("Z" if last != "Z" else "Y")
    refused = Client().get("/revenue/verify/", {"code": edited})
    assert refused.status_code == 404
    assert "Mã xác minh không đúng" in refused.content.decode()
    assert "1.500.000" not in refused.content.decode()


def test_a_late_refund_shows_the_printed_book_no_longer_matches(client, lan):
    text = _pdf_text(client.get(f"/v/{vendor_token(lan)}/revenue.pdf?period=2026-04").content)
    code = _code_in(text)
    record(lan, amount=10_000, at=local(dt.date(2026, 4, 5), 9), partner="viettel", kind="refund")
    page = Client().get("/revenue/verify/", {"code": code}).content.decode()
    assert "đã thay đổi sau khi lập sổ" in page


def test_every_export_is_audited_with_who_and_when_and_no_figures(client, lan, board_a):
    client.get(f"/v/{vendor_token(lan)}/revenue.pdf")
    desk = Client()
    desk.force_login(board_a)
    assert desk.get(f"/vendors/{lan.code}/revenue.pdf?period=2026-03").status_code == 200
    entries = list(AuditEntry.objects.filter(action="revenue.export").order_by("at", "id"))
    assert [(e.actor, e.after["channel"], e.after["period"], e.at) for e in entries] == [
        (None, "vendor_link", "2026", NOW),
        (board_a, "board", "2026-03", NOW),
    ]
    assert all(e.market == lan.market and e.after["vendor"] == lan.code for e in entries)
    assert "1250000" not in str([e.after for e in entries])
    assert RevenueDocument.objects.count() == 2


def test_only_the_vendor_their_board_and_operators_get_the_book(client, lan, board_b, department, operator):
    for user, status in ((board_b, 404), (department, 403), (operator, 200)):
        browser = Client()
        browser.force_login(user)
        assert browser.get(f"/vendors/{lan.code}/revenue.pdf").status_code == status, user
    token = vendor_token(lan)
    assert client.get(f"/v/{token[:-2]}xx/revenue.pdf").status_code == 404
    assert Client().get(f"/vendors/{lan.code}/revenue.pdf").status_code == 302  # to the login page
    assert AuditEntry.objects.filter(action="revenue.export").count() == 1  # the operator's only


@pytest.mark.parametrize(
    ("period", "reason"),
    [
        ("2026-13", "Kỳ phải viết dạng năm (2026), quý (2026-Q2) hoặc tháng (2026-05)"),
        ("2027", "Kỳ này chưa bắt đầu"),
        ("2019", "Chợ 4.0 chưa có giao dịch trước năm 2024"),
    ],
)
def test_a_bad_period_is_refused_by_name_and_nothing_is_issued(client, lan, period, reason):
    response = client.get(f"/v/{vendor_token(lan)}/revenue.pdf", {"period": period})
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not RevenueDocument.objects.exists() and not AuditEntry.objects.filter(action="revenue.export").exists()


def test_the_vendor_page_and_the_board_page_carry_the_downloads(client, lan, board_a, department):
    page = client.get(f"/v/{vendor_token(lan)}/").content.decode()
    assert "Sổ doanh thu" in page and "revenue.pdf?period=2026" in page and "revenue.xlsx?period=2026-Q4" in page
    desk = Client()
    desk.force_login(board_a)
    assert f"/vendors/{lan.code}/revenue.pdf?period=2026" in desk.get(f"/vendors/{lan.code}/").content.decode()
    seen = Client()
    seen.force_login(department)
    page = seen.get(f"/vendors/{lan.code}/").content.decode()
    assert "revenue.pdf" not in page and "Thuần từ đầu năm" not in page


def test_a_reissued_link_no_longer_gives_the_book(client, lan, board_a):
    from printables import services as printables_services

    old = vendor_token(lan)
    printables_services.vendor_link_reissue(actor=board_a, vendor=lan)
    assert client.get(f"/v/{old}/revenue.pdf").status_code == 404
    assert client.get(f"/v/{vendor_token(lan)}/revenue.pdf").status_code == 200
