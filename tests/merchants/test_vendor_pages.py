"""The board's vendor pages: register by form with errors next to the field."""

import re

import pytest

from core import audit
from core.models import AuditEntry
from merchants.models import PaymentCode, Vendor

pytestmark = pytest.mark.django_db

FORM = {
    "stall_number": "c-7",
    "full_name": "Huỳnh Thị Cúc",
    "trade_name": "",
    "phone": "0939 123 456",
    "national_id": "092186000555",
    "category": "trai-cay",
    "consent": "on",
}


def test_board_registers_a_vendor_through_the_form(client, board_a, market_a):
    client.force_login(board_a)
    response = client.post("/vendors/new/", {**FORM, "market": market_a.code})

    vendor = Vendor.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/vendors/{vendor.code}/"
    assert (vendor.stall_number, vendor.phone, vendor.market) == ("C-7", "0939123456", market_a)
    page = client.get(response["Location"]).content.decode()
    assert "Huỳnh Thị Cúc" in page and vendor.payment_reference in page


def test_form_errors_are_shown_next_to_each_field_in_vietnamese(client, board_a, market_a):
    client.force_login(board_a)
    response = client.post("/vendors/new/", {**FORM, "market": market_a.code, "national_id": "12", "consent": ""})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="err_national_id">Số CCCD phải gồm đúng 12 chữ số' in page
    assert "Cần xác nhận tiểu thương đã đồng ý" in page
    assert 'value="Huỳnh Thị Cúc"' in page  # what was typed is kept
    assert not Vendor.objects.exists()


def test_forms_carry_csrf_protection(board_a, market_a):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(board_a)
    assert strict.post("/vendors/new/", {**FORM, "market": market_a.code}).status_code == 403
    page = strict.get("/vendors/new/").content.decode()
    assert "csrfmiddlewaretoken" in page


def test_department_cannot_open_the_registration_form(client, department):
    client.force_login(department)
    assert client.get("/vendors/new/").status_code == 404


def test_english_is_available(client, board_a):
    client.force_login(board_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/vendors/"})
    page = client.get("/vendors/").content.decode()
    assert "Register a vendor" in page


@pytest.fixture
def equipped_vendor(board_a, market_a):
    from merchants import services

    vendor = services.vendor_register(
        actor=board_a,
        market=market_a,
        data={k: v for k, v in FORM.items() if k != "consent"},
        consent_given=True,
    )
    services.wallet_account_add(actor=board_a, vendor=vendor, partner="vnpt", account_number="0939123456")
    return vendor


def test_vendor_page_shows_each_code_the_poster_and_the_vendor_link(client, board_a, equipped_vendor):
    client.force_login(board_a)
    code = equipped_vendor.wallet_accounts.get().payment_codes.get()

    page = client.get(f"/vendors/{equipped_vendor.code}/").content.decode()

    assert f"/api/v1/vendors/{equipped_vendor.code}/payment-codes/{code.pk}/qr.svg" in page
    assert f"/vendors/{equipped_vendor.code}/poster.pdf" in page
    assert "http://127.0.0.1:8000/v/" in page
    assert client.get(f"/api/v1/vendors/{equipped_vendor.code}/payment-codes/{code.pk}/qr.svg").status_code == 200


def test_the_history_reads_as_fields_and_local_times(client, board_a, equipped_vendor, api_for):
    api_for(board_a).patch(f"/api/v1/vendors/{equipped_vendor.code}", {"phone": "0987654321"})
    audit.record(
        actor=None,
        action="vendor.test",
        obj=equipped_vendor,
        before=None,
        after={"revoked_at": "2026-12-04T21:30:05+00:00"},
    )
    client.force_login(board_a)

    page = client.get(f"/vendors/{equipped_vendor.code}/").content.decode()

    assert "Số điện thoại: 0987654321" in page
    assert "revoked_at: 05/12/2026 04:30:05" in page
    assert "{&#x27;phone&#x27;" not in page and "{'phone'" not in page


def test_clerk_reissues_and_revokes_from_the_vendor_page(client, board_a, equipped_vendor):
    client.force_login(board_a)
    account = equipped_vendor.wallet_accounts.get()
    first = account.payment_codes.get()

    client.post(f"/vendors/{equipped_vendor.code}/codes/{first.pk}/reissue/")
    second = account.payment_codes.get(revoked_at__isnull=True)
    assert second.version == 2

    refused = client.post(f"/vendors/{equipped_vendor.code}/codes/{second.pk}/revoke/", {"reason": " "}, follow=True)
    assert "Vui lòng ghi lý do thu hồi mã" in refused.content.decode()
    client.post(f"/vendors/{equipped_vendor.code}/codes/{second.pk}/revoke/", {"reason": "Mất áp phích"})
    assert not account.payment_codes.filter(revoked_at__isnull=True).exists()

    page = client.post(f"/vendors/{equipped_vendor.code}/wallet-accounts/{account.pk}/issue/", follow=True)
    assert "Đã cấp mã QR" in page.content.decode()
    assert account.payment_codes.get(revoked_at__isnull=True).version == 3


def test_mobifone_code_without_bin_is_refused_on_the_page(client, board_a, equipped_vendor, settings):
    from merchants import services

    settings.MOBIFONE_BIN = ""
    account = services.wallet_account_add(
        actor=board_a, vendor=equipped_vendor, partner="mobifone", account_number="0901234567"
    )
    client.force_login(board_a)

    page = client.post(f"/vendors/{equipped_vendor.code}/wallet-accounts/{account.pk}/issue/", follow=True)

    assert "MOBIFONE_BIN" in page.content.decode()
    assert not account.payment_codes.exists()


def test_another_board_cannot_touch_the_codes(client, board_b, equipped_vendor):
    client.force_login(board_b)
    code = equipped_vendor.wallet_accounts.get().payment_codes.get()
    for path in [
        f"/vendors/{equipped_vendor.code}/codes/{code.pk}/reissue/",
        f"/vendors/{equipped_vendor.code}/codes/{code.pk}/revoke/",
    ]:
        assert client.post(path, {"reason": "x"}).status_code == 404
    code.refresh_from_db()
    assert code.revoked_at is None


def test_vietnamese_comes_first_whatever_the_browser_asks(client, board_a):
    client.force_login(board_a)
    page = client.get("/vendors/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Đăng ký tiểu thương" in page


def status_options(page: str) -> list[str]:
    select = re.search(r'<select id="id_status".*?</select>', page, re.S)
    return re.findall(r'<option value="([^"]*)"', select.group(0)) if select else []


def test_the_status_menu_offers_only_the_next_moves_and_never_closing(client, board_a, equipped_vendor):
    client.force_login(board_a)

    page = client.get(f"/vendors/{equipped_vendor.code}/").content.decode()

    assert status_options(page) == ["", "suspended"]  # a placeholder first: nothing happens by default
    assert f'href="/vendors/{equipped_vendor.code}/close/"' in page
    refused = client.post(f"/vendors/{equipped_vendor.code}/status/", {"status": ""}, follow=True)
    assert "Vui lòng chọn trạng thái mới" in refused.content.decode()
    equipped_vendor.refresh_from_db()
    assert equipped_vendor.status == "active"


def test_closing_from_the_status_form_goes_to_the_confirmation(client, board_a, equipped_vendor):
    client.force_login(board_a)

    response = client.post(f"/vendors/{equipped_vendor.code}/status/", {"status": "closed"})

    assert response.status_code == 302 and response["Location"] == f"/vendors/{equipped_vendor.code}/close/"
    equipped_vendor.refresh_from_db()
    assert equipped_vendor.status == "active"


def test_closing_says_what_it_does_and_needs_a_reason(client, board_a, equipped_vendor):
    client.force_login(board_a)
    path = f"/vendors/{equipped_vendor.code}/close/"

    page = client.get(path).content.decode()
    assert "1 mã QR đang dùng bị thu hồi ngay" in page
    assert f"Sạp {equipped_vendor.stall_number}" in page and "được trả lại" in page
    assert "không thể hoàn tác" in page

    refused = client.post(path, {"reason": "  "}).content.decode()
    assert 'id="err_reason"' in refused and "Vui lòng ghi lý do cho tiểu thương nghỉ" in refused
    equipped_vendor.refresh_from_db()
    assert equipped_vendor.status == "active"

    done = client.post(path, {"reason": "Chuyển về quê"}, follow=True).content.decode()

    assert "Đã cho tiểu thương" in done
    equipped_vendor.refresh_from_db()
    assert equipped_vendor.status == "closed"
    assert not PaymentCode.objects.filter(wallet_account__vendor=equipped_vendor, revoked_at__isnull=True).exists()
    assert AuditEntry.objects.filter(action="vendor.status", note="Chuyển về quê").exists()
    assert status_options(done) == [] and path not in done
    again = client.get(path, follow=True).content.decode()
    assert "Tiểu thương đã nghỉ" in again


def test_the_department_cannot_open_the_close_page(client, department, equipped_vendor):
    client.force_login(department)
    assert client.get(f"/vendors/{equipped_vendor.code}/close/").status_code == 403


def test_mobifone_without_a_bin_offers_no_issue_button_and_says_why(client, board_a, equipped_vendor, settings):
    from merchants import services

    settings.MOBIFONE_BIN = ""
    account = services.wallet_account_add(
        actor=board_a, vendor=equipped_vendor, partner="mobifone", account_number="0901234567"
    )
    client.force_login(board_a)

    page = client.get(f"/vendors/{equipped_vendor.code}/").content.decode()

    assert f"/wallet-accounts/{account.pk}/issue/" not in page
    assert "Chưa cấp được mã QR MobiFone Money: hệ thống chưa được cấu hình mã ngân hàng (BIN)" in page
    settings.MOBIFONE_BIN = "971033"
    assert f"/wallet-accounts/{account.pk}/issue/" in client.get(f"/vendors/{equipped_vendor.code}/").content.decode()


@pytest.mark.parametrize("typed", ["092 186 000 555", "092.186.000.555", " 092186000555 "])
def test_a_cccd_typed_in_groups_is_accepted(client, board_a, market_a, typed):
    client.force_login(board_a)

    response = client.post("/vendors/new/", {**FORM, "market": market_a.code, "national_id": typed})

    assert response.status_code == 302
    assert Vendor.objects.get().national_id == "092186000555"


def test_the_cccd_field_cuts_nothing_typed(client, board_a):
    client.force_login(board_a)

    field = re.search(r'<input id="id_national_id"[^>]*>', client.get("/vendors/new/").content.decode()).group(0)

    assert "maxlength" not in field
