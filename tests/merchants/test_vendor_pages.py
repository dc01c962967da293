"""The board's vendor pages: register by form with errors next to the field."""

import pytest

from merchants.models import Vendor

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
