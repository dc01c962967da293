"""The vendor's stall screen at 360 px: each payment shown the moment its
signed webhook is acknowledged, spoken in Vietnamese, caught up after a
dropped connection, checked against a customer's claim; a revoked link says so."""

import time

import pytest
from playwright.sync_api import expect

from printables import services
from printables.selectors import vendor_link
from tests.e2e.stall_kit import cable, pay, stream_server  # noqa: F401 — fixtures
from tests.payments.kit import lan, partner_secrets  # noqa: F401 — fixtures

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.parametrize("screen", ["phone"], indirect=True)]

# Speech captured instead of spoken; a Vietnamese voice is "installed".
SPEECH_STUB = """
window.__spoken = [];
window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; };
Object.defineProperty(window, "speechSynthesis", {value: {
  speak: function (u) { if (u.text) window.__spoken.push({text: u.text, lang: u.lang}); },
  cancel: function () {}, getVoices: function () { return [{lang: "vi-VN", name: "Tiếng Việt"}]; },
  addEventListener: function () {}
}});
"""


def open_screen(session, vendor, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    session.page.add_init_script(SPEECH_STUB)
    page = session.go(vendor_link(vendor).removeprefix(live_server.url))
    expect(page.locator("#stall-status")).to_have_attribute("data-state", "live")
    return page


def amounts(page) -> list[str]:
    return page.locator("#stall-list li .amount").all_inner_texts()


def test_a_payment_shows_without_a_reload_within_two_seconds(session, lan, live_server, settings, cable):
    page = open_screen(session, lan, live_server, settings)
    expect(page.get_by_text("Chưa có giao dịch nào hôm nay.")).to_be_visible()

    pay(live_server.url, amount=45_000, txn_id="VNPT2612040000001")
    acknowledged = time.monotonic()
    expect(page.locator("#stall-list li").first).to_contain_text("45.000 ₫", timeout=2_000)
    assert time.monotonic() - acknowledged <= 2.0

    row = page.locator("#stall-list li").first
    expect(row).to_contain_text("VNPT Money")
    expect(row).to_contain_text("…000001")
    expect(row).to_contain_text("N**** V** A · ***678")
    assert "NGUYEN" not in page.content()
    expect(page.locator("#stall-today-net")).to_have_text("45.000 ₫")
    expect(page.locator("#stall-today-count")).to_have_text("1 lượt thanh toán")
    session.screenshot("stall-screen")


def test_each_payment_is_spoken_in_vietnamese_words_with_its_wallet(session, lan, live_server, settings, cable):
    page = open_screen(session, lan, live_server, settings)
    page.get_by_role("button", name="Bật âm thanh").click()
    expect(page.get_by_text("Âm thanh đang bật")).to_be_visible()

    pay(live_server.url, amount=45_000, txn_id="VNPT2612040000011")
    expect(page.locator("#stall-list li")).to_have_count(1)
    pay(
        live_server.url,
        amount=45_000,
        txn_id="VNPT2612040000012",
        kind="payment.refunded",
        original="VNPT2612040000011",
    )
    expect(page.locator("#stall-list li")).to_have_count(2)

    page.wait_for_function("window.__spoken.length >= 2")
    spoken = page.evaluate("window.__spoken")
    assert spoken[0] == {"text": "Đã nhận bốn mươi lăm nghìn đồng qua VNPT Money", "lang": "vi-VN"}
    assert spoken[1] == {"text": "Đã hoàn bốn mươi lăm nghìn đồng qua VNPT Money", "lang": "vi-VN"}
    expect(page.locator("#stall-today-net")).to_have_text("0 ₫")

    # The choice is remembered: the next visit starts with sound on.
    page.reload()
    expect(page.get_by_role("button", name="Tắt âm thanh")).to_be_visible()


def test_a_cut_connection_catches_up_each_payment_once_in_order(session, lan, live_server, settings, cable):
    page = open_screen(session, lan, live_server, settings)
    pay(live_server.url, amount=10_000, txn_id="VNPT2612040000021")
    expect(page.locator("#stall-list li")).to_have_count(1)

    cable.cut()
    expect(page.locator("#stall-status")).to_have_attribute("data-state", "reconnecting", timeout=5_000)
    expect(page.locator("#stall-status")).to_contain_text("Mất kết nối")
    session.screenshot("stall-screen-reconnecting")
    pay(live_server.url, amount=21_000, txn_id="VNPT2612040000022")
    time.sleep(0.05)
    pay(live_server.url, amount=24_000, txn_id="VNPT2612040000023")
    time.sleep(1)
    assert amounts(page) == ["10.000 ₫"]

    cable.restore()
    expect(page.locator("#stall-status")).to_have_attribute("data-state", "live", timeout=10_000)
    expect(page.locator("#stall-list li")).to_have_count(3)
    assert amounts(page) == ["24.000 ₫", "21.000 ₫", "10.000 ₫"]
    expect(page.locator("#stall-today-net")).to_have_text("55.000 ₫")
    time.sleep(1)
    assert amounts(page) == ["24.000 ₫", "21.000 ₫", "10.000 ₫"]
    # The browser reports the stream the cut broke; nothing else may fail.
    cut_errors = ("net::ERR_INCOMPLETE_CHUNKED_ENCODING", "net::ERR_CONNECTION_RESET", "net::ERR_EMPTY_RESPONSE")
    session.console_errors[:] = [e for e in session.console_errors if not e.endswith(cut_errors)]


def test_checking_a_claimed_amount_finds_it_or_says_none_arrived(session, lan, live_server, settings, cable):
    page = open_screen(session, lan, live_server, settings)
    pay(live_server.url, amount=45_000, txn_id="VNPT2612040000031")
    expect(page.locator("#stall-list li")).to_have_count(1)

    page.get_by_label("Số tiền khách nói đã chuyển (đồng)").fill("45.000")
    page.get_by_role("button", name="Kiểm tra").click()
    result = page.locator("#stall-check-result")
    expect(result).to_contain_text("Đã nhận 1 giao dịch 45.000 ₫ trong 15 phút qua")
    expect(result.locator("li")).to_contain_text("…000031")

    page.get_by_label("Số tiền khách nói đã chuyển (đồng)").fill("50000")
    page.get_by_role("button", name="Kiểm tra").click()
    expect(result).to_contain_text("Chưa nhận được khoản 50.000 ₫ nào trong 15 phút qua")
    session.screenshot("stall-screen-check")

    page.get_by_label("Số tiền khách nói đã chuyển (đồng)").fill("bốn lăm")
    page.get_by_role("button", name="Kiểm tra").click()
    expect(result).to_contain_text("Số tiền: vui lòng nhập số tiền bằng số")


def test_a_revoked_links_open_screen_says_so_and_the_old_link_stays_shut(
    session, lan, live_server, settings, cable, board_a
):
    page = open_screen(session, lan, live_server, settings)
    pay(live_server.url, amount=45_000, txn_id="VNPT2612040000041")
    expect(page.locator("#stall-list li")).to_have_count(1)
    old_path = page.url.removeprefix(live_server.url)

    services.vendor_link_reissue(actor=board_a, vendor=lan)

    status = page.locator("#stall-status")
    expect(status).to_have_attribute("data-state", "revoked", timeout=60_000)
    expect(status).to_have_text("Liên kết này đã bị thu hồi. Vui lòng xin Ban quản lý chợ liên kết mới.")
    expect(page.locator("#stall-list li")).to_have_count(0)
    for gone in ["Tiền vào hôm nay", "Kiểm tra giao dịch", "Mã QR thanh toán của tôi"]:
        expect(page.get_by_text(gone, exact=True)).to_be_hidden()
    session.screenshot("stall-screen-revoked")

    response = page.goto(live_server.url + old_path)
    assert response is not None and response.status == 404
    expect(page.get_by_text("Đường dẫn này không đúng, đã hết hạn hoặc đã bị thu hồi.")).to_be_visible()
    session.console_errors[:] = [e for e in session.console_errors if "404" not in e]
