"""A market board sees and changes its own market only; anything else is 404.
The department reads every market and changes nothing."""

import io

import pytest

from core.models import AuditEntry
from merchants import services
from merchants.models import Vendor
from tests.conftest import vendor_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def vendor_in_a(board_a, market_a) -> Vendor:
    data = vendor_payload(market_a)
    data.pop("market")
    data.pop("consent_given")
    vendor = services.vendor_register(actor=board_a, market=market_a, data=data, consent_given=True)
    services.wallet_account_add(actor=board_a, vendor=vendor, partner="vnpt", account_number="0912345678")
    return vendor


def api_reads(vendor):
    market = vendor.market.code
    return [f"/api/v1/markets/{market}", f"/api/v1/vendors/{vendor.code}", f"/api/v1/vendors/{vendor.code}/history"]


def api_writes(vendor):
    return [
        ("patch", f"/api/v1/vendors/{vendor.code}", {"phone": "0987654321"}),
        ("patch", f"/api/v1/vendors/{vendor.code}", {"status": "suspended"}),
        (
            "post",
            f"/api/v1/vendors/{vendor.code}/wallet-accounts",
            {"partner": "viettel", "account_number": "0987654321"},
        ),
        ("post", "/api/v1/vendors", vendor_payload(vendor.market, stall_number="B-001")),
    ]


def web_routes(vendor):
    return [
        ("get", f"/vendors/{vendor.code}/", {}),
        ("get", f"/vendors/{vendor.code}/edit/", {}),
        ("post", f"/vendors/{vendor.code}/edit/", {"full_name": "Lê Văn Tám"}),
        ("post", f"/vendors/{vendor.code}/status/", {"status": "suspended"}),
        ("post", f"/vendors/{vendor.code}/wallet-accounts/", {"partner": "viettel", "account_number": "0987654321"}),
    ]


def snapshot():
    return list(Vendor.objects.values()), AuditEntry.objects.count()


def test_board_of_b_gets_404_reading_a(api_for, board_b, vendor_in_a):
    client = api_for(board_b)
    for path in api_reads(vendor_in_a):
        assert client.get(path).status_code == 404, path


def test_board_of_b_gets_404_writing_a_and_nothing_changes(api_for, board_b, vendor_in_a):
    client = api_for(board_b)
    before = snapshot()
    for method, path, body in api_writes(vendor_in_a):
        assert getattr(client, method)(path, body).status_code == 404, (method, path)
    assert snapshot() == before


def test_board_of_b_cannot_import_into_a(api_for, board_b, market_a):
    file = io.BytesIO("Số sạp,Họ và tên\n".encode())
    file.name = "x.csv"
    response = api_for(board_b).upload("/api/v1/vendors/import", {"market": market_a.code, "file": file})
    assert response.status_code == 404


def test_lists_show_a_board_only_its_market(api_for, board_b, vendor_in_a):
    client = api_for(board_b)
    assert client.get("/api/v1/vendors").json()["count"] == 0
    assert client.get("/api/v1/vendors", {"market": vendor_in_a.market.code}).json()["count"] == 0
    markets = client.get("/api/v1/markets").json()
    assert [m["code"] for m in markets["items"]] == ["NK02"]


def test_board_of_b_gets_404_on_a_in_the_web_app(client, board_b, vendor_in_a):
    client.force_login(board_b)
    before = snapshot()
    for method, path, body in web_routes(vendor_in_a):
        assert getattr(client, method)(path, body).status_code == 404, (method, path)
    assert snapshot() == before
    assert vendor_in_a.full_name not in client.get("/vendors/", {"q": "Lan"}).content.decode()


def test_board_of_a_reaches_every_route(api_for, client, board_a, vendor_in_a):
    api = api_for(board_a)
    for path in api_reads(vendor_in_a):
        assert api.get(path).status_code == 200, path
    client.force_login(board_a)
    assert client.get(f"/vendors/{vendor_in_a.code}/").status_code == 200


def test_department_reads_every_market_and_writes_nothing(api_for, department, vendor_in_a):
    client = api_for(department)
    assert client.get("/api/v1/markets").json()["count"] == 109
    for path in api_reads(vendor_in_a):
        assert client.get(path).status_code == 200, path
    before = snapshot()
    for method, path, body in api_writes(vendor_in_a):
        assert getattr(client, method)(path, body).status_code == 403, (method, path)
    assert snapshot() == before


def test_unauthenticated_requests_are_refused(api_for, vendor_in_a, client):
    anonymous = api_for(None)
    assert anonymous.get("/api/v1/vendors").status_code == 401
    assert anonymous.get(f"/api/v1/vendors/{vendor_in_a.code}").status_code == 401
    assert client.get("/vendors/").status_code == 302


def test_department_sees_personal_data_masked(api_for, department, board_a, vendor_in_a, client):
    seen_by_department = api_for(department).get(f"/api/v1/vendors/{vendor_in_a.code}").json()
    seen_by_board = api_for(board_a).get(f"/api/v1/vendors/{vendor_in_a.code}").json()

    assert (seen_by_board["phone"], seen_by_board["national_id"]) == ("0912345678", "092186000123")
    assert (seen_by_department["phone"], seen_by_department["national_id"]) == ("091*****78", "092*******23")
    client.force_login(department)
    page = client.get(f"/vendors/{vendor_in_a.code}/").content.decode()
    assert "091*****78" in page and "0912345678" not in page
