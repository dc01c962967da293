"""A market board clerk on a phone or a desk PC: find, register and equip vendors."""

import re

import pytest
from playwright.sync_api import expect

from merchants import services
from merchants.models import Vendor
from tests.conftest import vendor_payload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def known_vendor(board_a, market_a):
    data = vendor_payload(market_a)
    for key in ("market", "consent_given"):
        data.pop(key)
    return services.vendor_register(actor=board_a, market=market_a, data=data, consent_given=True)


def test_clerk_finds_a_vendor_by_name_stall_or_phone(session, board_a, known_vendor):
    session.login(board_a.username)
    page = session.page
    expect(page.get_by_role("heading", name="Chợ Tân An · hôm nay")).to_be_visible()
    session.screenshot("market-today")
    session.menu().get_by_role("link", name="Tiểu thương").click()
    expect(page.get_by_role("heading", name="Tiểu thương", exact=True)).to_be_visible()
    for term in ["Lan", "nguyen thi lan", "NGUYỄN THỊ", "A-01", "012", "0912345678"]:
        page.get_by_placeholder("Tên, số sạp, số điện thoại").fill(term)
        page.get_by_role("button", name="Tìm").click()
        expect(page.get_by_role("link", name="Nguyễn Thị Lan")).to_be_visible()
    session.screenshot("vendors")
    page.get_by_role("link", name="Nguyễn Thị Lan").click()
    expect(page.get_by_text(known_vendor.payment_reference)).to_be_visible()
    session.screenshot("vendor-detail")
    page.get_by_role("link", name="Giao dịch của tiểu thương").click()
    expect(page.get_by_text("Chỉ giao dịch của Rau sạch Cô Lan, sạp A-012")).to_be_visible()
    session.screenshot("vendor-transactions")


def test_clerk_registers_a_vendor_fixing_what_the_form_points_out(session, board_a, market_a):
    session.login(board_a.username)
    page = session.go("/vendors/new/")
    page.get_by_label("Số sạp").fill("b-07")
    page.get_by_label("Họ và tên (theo CCCD)").fill("Trần Văn Hùng")
    page.get_by_label("Số điện thoại di động").fill("0901 234 567")
    page.get_by_label("Số CCCD (12 chữ số)").fill("09208000011")
    page.get_by_label("Ngành hàng").select_option(label="Thịt")
    page.get_by_role("button", name="Đăng ký").click()

    expect(page.locator("#err_national_id")).to_have_text("Số CCCD phải gồm đúng 12 chữ số")
    expect(page.locator("#err_consent")).to_contain_text("Cần xác nhận")
    expect(page.get_by_label("Họ và tên (theo CCCD)")).to_have_value("Trần Văn Hùng")
    session.screenshot("vendor-form-errors")

    page.get_by_label("Số CCCD (12 chữ số)").fill("092 080 000 111")  # pasted in groups: nothing is cut
    page.get_by_label(re.compile("đồng ý cho Ban quản lý chợ")).check()
    page.get_by_role("button", name="Đăng ký").click()

    expect(page.get_by_text("Đã đăng ký tiểu thương Trần Văn Hùng")).to_be_visible()
    vendor = Vendor.objects.get(full_name="Trần Văn Hùng")
    assert (vendor.stall_number, vendor.phone, vendor.market) == ("B-07", "0901234567", market_a)
    assert vendor.national_id == "092080000111"

    page.get_by_label("Ví", exact=True).select_option(label="Viettel Money")
    page.get_by_label("Số tài khoản ví").fill("0901234567")
    page.get_by_role("button", name="Thêm tài khoản ví").click()
    expect(page.get_by_text("Đã thêm tài khoản ví")).to_be_visible()
    account = vendor.wallet_accounts.get()
    assert account.partner == "viettel"
    expect(page.get_by_role("img", name="Mã QR Viettel Money của Trần Văn Hùng")).to_be_visible()

    page.get_by_role("button", name="Cấp lại mã").click()
    expect(page.get_by_text("Đã cấp lại mã; hãy in áp phích mới")).to_be_visible()
    page.get_by_text("Thu hồi mã", exact=True).click()
    page.get_by_label("Lý do thu hồi").fill("Áp phích bị rách")
    page.get_by_role("button", name="Thu hồi", exact=True).click()
    expect(page.get_by_text("Đã thu hồi mã")).to_be_visible()
    assert [(c.version, c.revoked_at is not None) for c in account.payment_codes.order_by("version")] == [
        (1, True),
        (2, True),
    ]
    session.go("/transactions/")
    expect(page.get_by_role("heading", name="Giao dịch qua ví")).to_be_visible()


def test_clerk_imports_the_boards_sheet_then_prints_the_market(session, board_a, market_a, tmp_path, settings):
    settings.POSTER_DIRECT_LIMIT = 0  # every market goes through the worker, with progress
    sheet = tmp_path / "tieuthuong.csv"
    sheet.write_text(
        "Số sạp,Họ và tên,Tên cửa hàng,Số điện thoại,Số CCCD,Ngành hàng,Đã đồng ý xử lý dữ liệu,"
        "Ví VNPT Money,Ví Viettel Money,Ví MobiFone Money\n"
        "C-001,Lê Thị Mai,Trái cây Cô Mai,0981234567,092186000222,Trái cây,Có,0981234567,,\n"
        "C-002,Phạm Văn Tài,,0123,12345,Thịt,Có,,,\n",
        encoding="utf-8",
    )
    session.login(board_a.username)
    page = session.go(f"/vendors/import/?market={market_a.code}")
    page.get_by_label("Tệp XLSX hoặc CSV").set_input_files(str(sheet))
    page.get_by_role("button", name="Kiểm tra (chưa nhập)").click()
    expect(page.get_by_text("2 dòng: 1 thêm mới, 0 cập nhật, 0 không đổi, 1 bị từ chối.")).to_be_visible()
    expect(page.get_by_text("Số CCCD phải gồm đúng 12 chữ số")).to_be_visible()
    session.screenshot("vendor-import")
    assert not Vendor.objects.exists()

    page.get_by_role("button", name="Nhập 1 dòng hợp lệ").click()
    expect(page.get_by_role("heading", name="Đã nhập")).to_be_visible()
    assert Vendor.objects.get().full_name == "Lê Thị Mai"

    session.go(f"/markets/{market_a.code}/posters/")
    page.get_by_role("button", name="Tạo tệp in cho cả chợ").click()
    download_link = page.get_by_role("link", name="Tải tệp PDF để in")
    expect(download_link).to_be_visible(timeout=30_000)
    session.screenshot("market-posters")
    # Opened in the browser's PDF viewer; fetched with the same session here.
    pdf = page.request.get(session.base_url + download_link.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")


def test_clerk_closes_a_vendor_only_after_a_reason_and_a_confirmation(session, board_a, known_vendor):
    session.login(board_a.username)
    page = session.go(f"/vendors/{known_vendor.code}/")
    status = page.get_by_label("Chuyển trạng thái")
    expect(status).to_have_value("")  # nothing is chosen for the clerk
    expect(status.locator("option")).to_have_text(["— Chọn trạng thái mới —", "Tạm ngưng"])
    page.get_by_role("button", name="Chuyển", exact=True).click()  # the browser asks for a choice
    known_vendor.refresh_from_db()
    assert known_vendor.status == "active"

    page.get_by_role("link", name="Cho tiểu thương nghỉ…").click()
    expect(page.get_by_role("heading", name="Cho Nguyễn Thị Lan nghỉ?")).to_be_visible()
    expect(page.get_by_text("Việc này không thể hoàn tác.")).to_be_visible()
    session.screenshot("vendor-close")
    page.get_by_role("button", name="Xác nhận cho nghỉ").click()  # no reason: the browser holds it
    known_vendor.refresh_from_db()
    assert known_vendor.status == "active"
    page.get_by_label("Lý do cho nghỉ (bắt buộc)").fill("Chuyển về quê")
    page.get_by_role("button", name="Xác nhận cho nghỉ").click()

    expect(page.get_by_text("Đã cho tiểu thương Nguyễn Thị Lan nghỉ; sạp A-012 đã trống")).to_be_visible()
    known_vendor.refresh_from_db()
    assert known_vendor.status == "closed"


def test_clerk_reads_the_vendors_history_without_scrolling_sideways(session, board_a, known_vendor, api_for):
    api_for(board_a).patch(f"/api/v1/vendors/{known_vendor.code}", {"phone": "0987654321"})
    session.login(board_a.username)
    page = session.go(f"/vendors/{known_vendor.code}/")

    after = page.locator("#lich-su td[data-label='Sau']").first
    after.scroll_into_view_if_needed()
    box = after.bounding_box()
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert box is not None and box["x"] + box["width"] <= width, box
    expect(after).to_contain_text("Số điện thoại: 0987654321")
    session.screenshot("vendor-history")
