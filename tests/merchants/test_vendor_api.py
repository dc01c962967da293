import pytest

from core.models import AuditEntry
from merchants.models import Vendor
from tests.conftest import vendor_payload

pytestmark = pytest.mark.django_db


def test_board_registers_a_vendor_with_normalised_fields(api_for, board_a, market_a):
    response = api_for(board_a).post("/api/v1/vendors", vendor_payload(market_a, full_name="Nguyễn  Thị Lan"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["full_name"] == "Nguyễn Thị Lan"
    assert body["phone"] == "0912345678"
    assert body["status"] == "active"
    assert body["payment_reference"].startswith("C4")
    vendor = Vendor.objects.get(code=body["code"])
    entry = AuditEntry.objects.get(object_type="merchants.vendor", object_id=str(vendor.pk))
    assert entry.actor == board_a
    assert entry.action == "vendor.register"
    assert entry.before is None and entry.after["full_name"] == "Nguyễn Thị Lan"


def test_board_of_another_market_gets_404(api_for, board_b, market_a):
    response = api_for(board_b).post("/api/v1/vendors", vendor_payload(market_a))

    assert response.status_code == 404
    assert not Vendor.objects.exists()
