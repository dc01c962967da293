"""The revenue book as its users meet it: the vendor on their link, the tax
officer on the verification page, the board's list, the department's bands."""

import datetime as dt
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from core import clock
from printables.selectors import vendor_link
from tests.adoption.kit import make_vendor, record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lan(market_a, settings):
    settings.REVENUE_THRESHOLD_VND = 10_000_000
    vendor = make_vendor(market_a, partners=("vnpt", "viettel"))
    now = clock.now()
    for days, amount in ((1, 5_000_000), (2, 3_500_000)):
        record(vendor, amount=amount, at=now - dt.timedelta(days=days), partner="vnpt")
    return vendor


def test_the_vendor_downloads_the_book_and_an_officer_verifies_it(session, lan, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    page = session.go(vendor_link(lan).removeprefix(live_server.url))
    expect(page.get_by_role("heading", name="Sổ doanh thu")).to_be_visible()
    expect(page.get_by_text("Doanh thu qua Chợ 4.0 đã từ 80% ngưỡng hóa đơn điện tử trở lên.")).to_be_visible()
    session.screenshot("revenue-vendor-link")
    with page.expect_download() as download:
        page.get_by_role("link", name=f"PDF năm {clock.today().year}", exact=True).click()
    text = " ".join(PdfReader(io.BytesIO(open(download.value.path(), "rb").read())).pages[0].extract_text().split())
    code = re.search(r"Mã xác minh ([0-9A-Z-]{19})", text).group(1)

    page = session.go("/revenue/verify/")
    page.get_by_label("Mã xác minh in trên sổ").fill(code)
    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.get_by_role("heading", name="Sổ do Chợ 4.0 cấp")).to_be_visible()
    expect(page.locator("strong", has_text="8.500.000 ₫")).to_be_visible()
    session.assert_fits_the_screen()
    session.screenshot("revenue-verify")


def test_the_board_sees_its_flagged_vendors_and_the_department_the_bands(
    session, lan, board_a, department, market_a
):
    session.login(board_a.username)
    page = session.go(f"/markets/{market_a.code}/revenue-watch/")
    expect(page.get_by_role("cell", name=lan.full_name, exact=True)).to_be_visible()
    session.screenshot("revenue-board-watch")
    page = session.go(f"/vendors/{lan.code}/")
    expect(page.get_by_role("heading", name="Sổ doanh thu")).to_be_visible()
    session.menu().get_by_role("button", name="Đăng xuất").click()

    session.login(department.username)
    page = session.go("/revenue/bands/")
    expect(page.get_by_role("rowheader", name=market_a.name)).to_be_visible()
    session.screenshot("revenue-department-bands")
