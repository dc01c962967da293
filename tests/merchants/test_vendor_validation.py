"""Each vendor field is validated with a Vietnamese reason, and a bad request changes nothing."""

import pytest

from core import clock
from merchants.models import Vendor
from tests.conftest import vendor_payload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("stall_number", "", "Vui lòng nhập số sạp"),
        ("stall_number", "A 12 #", "Số sạp chỉ gồm"),
        ("full_name", "", "Vui lòng nhập họ và tên"),
        ("full_name", "Lan", "có ít nhất họ và tên"),
        ("full_name", "Nguyễn Thị L4n", "chỉ gồm chữ cái"),
        ("full_name", "陳 大文", "để in lên mã QR"),
        ("trade_name", "٠٩٢١٨٦٠٠٠١٢٣", "để in lên mã QR"),
        ("phone", "", "Vui lòng nhập số điện thoại"),
        ("phone", "091234567", "phải có 10 chữ số"),
        ("phone", "0212345678", "Đầu số 021 không phải đầu số di động"),
        ("phone", "09123456ab", "phải có 10 chữ số"),
        ("national_id", "", "Vui lòng nhập số CCCD"),
        ("national_id", "09218600012", "Số CCCD phải gồm đúng 12 chữ số"),
        ("national_id", "0921860001234", "Số CCCD phải gồm đúng 12 chữ số"),
        ("national_id", "003186000123", "Mã tỉnh 003"),
        ("national_id", "092586000123", "Chữ số thứ 4 của CCCD"),
        ("national_id", "092320000123", "phải đủ 14 tuổi"),
        ("category", "", "Vui lòng chọn ngành hàng"),
        ("category", "vàng bạc", "không có trong danh mục"),
    ],
)
def test_bad_field_is_named_with_a_vietnamese_reason(api_for, board_a, market_a, field, value, reason):
    response = api_for(board_a).post("/api/v1/vendors", vendor_payload(market_a, **{field: value}))

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert reason in " ".join(errors[field])
    assert not Vendor.objects.exists()


def test_every_bad_field_is_reported_at_once(api_for, board_a, market_a):
    payload = vendor_payload(market_a, phone="123", national_id="abc", full_name="")

    response = api_for(board_a).post("/api/v1/vendors", payload)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"phone", "national_id", "full_name"}


def test_missing_consent_is_refused(api_for, board_a, market_a):
    response = api_for(board_a).post("/api/v1/vendors", vendor_payload(market_a, consent_given=False))

    assert response.status_code == 422
    assert "đồng ý" in response.json()["errors"]["consent"][0]
    assert not Vendor.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("912345678", "0912345678"),
    ],
)
def test_phone_numbers_are_normalised(api_for, board_a, market_a, typed, stored):
    response = api_for(board_a).post("/api/v1/vendors", vendor_payload(market_a, phone=typed))

    assert response.status_code == 201
    assert response.json()["phone"] == stored


def test_name_is_stored_nfc_normalised(api_for, board_a, market_a):
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Lan"  # what some phone keyboards send

    response = api_for(board_a).post("/api/v1/vendors", vendor_payload(market_a, full_name=decomposed))

    assert response.json()["full_name"] == "Nguyễn Thị Lan"
    assert Vendor.objects.get().full_name == "\u004eguy\u1ec5n Th\u1ecb Lan"


def test_cccd_birth_year_rule_follows_the_business_clock(api_for, board_a, market_a, monkeypatch):
    import datetime as dt

    # Born 2012 (century digit 2, year 12): 14 in 2026, so valid from 2026 on.
    payload = vendor_payload(market_a, national_id="092212000123")
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    assert api_for(board_a).post("/api/v1/vendors", payload).status_code == 422
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    assert api_for(board_a).post("/api/v1/vendors", payload).status_code == 201


def test_a_stall_holds_one_open_vendor(api_for, board_a, market_a):
    client = api_for(board_a)
    first = client.post("/api/v1/vendors", vendor_payload(market_a))
    assert first.status_code == 201

    second = client.post("/api/v1/vendors", vendor_payload(market_a, national_id="092186000999", phone="0987654321"))

    assert second.status_code == 409
    assert "Sạp A-012 đã có tiểu thương" in second.json()["errors"]["stall_number"][0]


def test_a_closed_vendor_frees_the_stall(api_for, board_a, market_a):
    client = api_for(board_a)
    code = client.post("/api/v1/vendors", vendor_payload(market_a)).json()["code"]
    assert (
        client.patch(f"/api/v1/vendors/{code}", {"status": "closed", "reason": "Chuyển đi chợ khác"}).status_code == 200
    )

    again = client.post("/api/v1/vendors", vendor_payload(market_a, national_id="092186000999"))

    assert again.status_code == 201
