"""The clerk hands the vendor's link over at the desk, on a phone: a QR code
to scan, a copy button (the share sheet where the phone has one), and a new
link when the old phone is lost."""

import pytest
from playwright.sync_api import expect

from printables.links import vendor_from_token
from tests.payments.kit import lan  # noqa: F401 — fixture


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.parametrize("screen", ["phone"], indirect=True)]


def test_clerk_hands_over_the_link_by_qr_or_copy_and_can_issue_a_new_one(session, board_a, lan, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    session.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    # The phone's share sheet, captured instead of opened.
    session.page.add_init_script(
        "window.__shared = []; navigator.share = (data) => { window.__shared.push(data); return Promise.resolve(); };"
    )
    session.login(board_a.username)
    page = session.go(f"/vendors/{lan.code}/")

    qr = page.get_by_role("img", name="Mã QR mở màn hình quầy của tiểu thương")
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth > 0", qr.element_handle())
    box = page.get_by_label("Đường dẫn riêng gửi tiểu thương (màn hình quầy, mã QR, áp phích, tiền vào)")
    first = box.input_value()
    assert first.startswith(live_server.url + "/v/") and vendor_from_token(token_of(first)) == lan

    page.get_by_role("button", name="Sao chép").click()
    expect(page.get_by_text("Đã sao chép liên kết")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == first
    page.get_by_role("button", name="Chia sẻ").click()
    assert page.evaluate("window.__shared") == [{"title": "Màn hình quầy · Nguyễn Thị Lan", "url": first}]
    session.screenshot("vendor-link-handover")

    page.get_by_text("Cấp liên kết mới (điện thoại bị mất…)").click()
    expect(page.get_by_text("Liên kết hiện tại ngừng hoạt động ngay")).to_be_visible()
    page.get_by_role("button", name="Cấp liên kết mới").click()
    expect(page.get_by_text("Đã cấp liên kết mới.")).to_be_visible()
    second = box.input_value()
    assert vendor_from_token(token_of(second)) == lan
    assert vendor_from_token(token_of(first)) is None, "the old link still opens"
    session.assert_accessible()
