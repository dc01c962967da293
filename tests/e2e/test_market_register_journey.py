"""An operator adds the markets of the former Hậu Giang from a register
sheet in the admin: a dry run first, then the import, each refused row with
its column and reason."""

import pytest
from playwright.sync_api import expect

from merchants.models import Market

pytestmark = pytest.mark.django_db(transaction=True)

SHEET = (
    "\ufeffMã chợ;Tên chợ;Mã phường/xã;Tên phường/xã;Hạng chợ;Số sạp\n"
    "HG01;Chợ Vị Thanh;31321;Phường Vị Thanh;2;210\n"
    "HG02;Chợ Ngã Bảy;99999;Phường Ngã Bảy;2;120\n"
)


def test_operator_imports_a_register_sheet(session, operator, tmp_path):
    sheet = tmp_path / "so-dang-ky.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    session.login(operator.username)
    page = session.go("/admin/merchants/market/import/")
    page.get_by_label("Tệp sổ đăng ký (XLSX hoặc CSV)").set_input_files(sheet)
    page.get_by_role("button", name="Gửi").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Kết quả chạy thử (chưa ghi gì)")).to_be_visible()
    expect(page.get_by_text("Gần nhất: Phường Ngã Bảy (31340)")).to_be_visible()
    session.screenshot("market-register-dry-run")
    assert not Market.objects.filter(code="HG01").exists()

    page.get_by_label("Tệp sổ đăng ký (XLSX hoặc CSV)").set_input_files(sheet)
    page.get_by_label("Chạy thử: chỉ kiểm tra, chưa ghi").uncheck()
    page.get_by_role("button", name="Gửi").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Kết quả nhập")).to_be_visible()
    session.screenshot("market-register-import")
    assert Market.objects.get(code="HG01").unit_name == "Phường Vị Thanh"
    assert not Market.objects.filter(code="HG02").exists()
