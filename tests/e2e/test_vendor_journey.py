"""A vendor opens the link the board sent: codes, poster, PNG, takings."""

import pytest
from playwright.sync_api import expect

from merchants import services
from printables.selectors import vendor_link
from tests.conftest import vendor_payload
from tests.e2e.stall_kit import cable, stream_server  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vendor(board_a, market_a):
    data = vendor_payload(market_a)
    for key in ("market", "consent_given"):
        data.pop(key)
    vendor = services.vendor_register(actor=board_a, market=market_a, data=data, consent_given=True)
    services.wallet_account_add(actor=board_a, vendor=vendor, partner="vnpt", account_number="0912345678")
    services.wallet_account_add(actor=board_a, vendor=vendor, partner="viettel", account_number="0987654321")
    return vendor


def test_vendor_opens_the_link_sees_codes_and_downloads(session, vendor, live_server, settings, cable):
    settings.PUBLIC_BASE_URL = live_server.url
    link = vendor_link(vendor)

    page = session.go(link.removeprefix(live_server.url))

    expect(page.get_by_role("heading", name="Rau sạch Cô Lan")).to_be_visible()
    expect(page.get_by_text(vendor.payment_reference)).to_be_visible()
    expect(page.get_by_text("Tiền vào hôm nay")).to_be_visible()
    expect(page.get_by_role("img", name="Mã QR VNPT Money")).to_be_visible()
    expect(page.get_by_role("img", name="Mã QR Viettel Money")).to_be_visible()
    session.screenshot("vendor-link")
    with page.expect_download() as poster:
        page.get_by_role("link", name="Tải áp phích để in (PDF, khổ A5)").click()
    assert poster.value.suggested_filename.endswith(".pdf")
    with page.expect_download() as png:
        page.get_by_role("link", name="Tải ảnh PNG").first.click()
    assert png.value.suggested_filename.endswith(".png")


def test_a_tampered_link_tells_the_vendor_to_ask_the_board(session, vendor, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    link = vendor_link(vendor).removeprefix(live_server.url)

    page = session.go(link.rstrip("/")[:-3] + "xyz/", status=404)

    expect(page.get_by_role("heading", name="Đường dẫn không hợp lệ")).to_be_visible()
    expect(page.get_by_text("Hãy hỏi Ban quản lý chợ để được gửi đường dẫn mới.")).to_be_visible()
    session.screenshot("vendor-link-invalid")
