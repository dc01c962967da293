"""Hostile input answers like any bad input: 422 in the API's one shape, in
Vietnamese, never a server error; and the OpenAPI document says what the
server answers. Each case here was found by Schemathesis (proof/)."""

import pytest
from django.test import Client

from merchants import import_jobs
from merchants.models import ImportJob, Vendor
from tests.conftest import vendor_payload

pytestmark = pytest.mark.django_db


def assert_bad_input(response, field: str) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] == "Dữ liệu gửi lên chưa hợp lệ"
    assert field in body["errors"], body


def test_a_page_number_past_what_the_database_can_offset_is_bad_input(api_for, board_a):
    response = api_for(board_a).get("/api/v1/vendors", {"page": "6576866023863805373805756416"})
    assert_bad_input(response, "page")
    assert response.json()["errors"]["page"] == ["Phải nhỏ hơn hoặc bằng 1000000"]


def test_a_page_that_is_not_a_number_is_named_in_vietnamese(api_for, board_a):
    response = api_for(board_a).get("/api/v1/markets", {"page": "mot"})
    assert_bad_input(response, "page")
    assert response.json()["errors"]["page"] == ["Phải là số nguyên"]


@pytest.mark.parametrize(
    ("path", "field"),
    [("/api/v1/markets?page_size=x&page_size=20", "page_size"), ("/api/v1/markets?pilot=x&pilot=true", "pilot")],
)
def test_a_one_value_parameter_given_twice_is_bad_input(api_for, board_a, path, field):
    assert_bad_input(api_for(board_a).get(path), field)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/markets?district=ninh%00kieu", "/api/v1/vendors?market=NK%0001", "/api/v1/vendors/TT%0001"],
)
def test_a_nul_character_in_the_address_is_bad_input(api_for, board_a, path):
    response = api_for(board_a).get(path)
    assert response.status_code == 422, response.content
    assert response.json()["errors"]


def test_a_nul_character_in_a_page_address_is_a_bad_request(board_a):
    browser = Client()
    browser.force_login(board_a)
    assert browser.get("/vendors/?q=a%00b").status_code == 400


def test_a_nul_character_in_a_json_body_is_bad_input(api_for, board_a, market_a):
    response = api_for(board_a).post("/api/v1/vendors", vendor_payload(market_a, trade_name="Rau\x00sạch"))
    assert_bad_input(response, "body")
    assert not Vendor.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "[null, null]",
        "not json",
        '"chuỗi"',
        '{"trade_name": ' + "[" * 100_000 + "]" * 100_000 + "}",  # deeper than the decoder goes
        '{"trade_name": "Rau \\ud800 sạch"}',  # half a surrogate pair: no UTF-8 form to store
    ],
    ids=["list", "not json", "string", "nested", "lone surrogate"],
)
def test_a_body_that_is_not_a_storable_json_object_is_bad_input(api_for, board_a, market_a, body):
    client = api_for(board_a)
    created = client.post("/api/v1/vendors", vendor_payload(market_a)).json()
    response = client.generic(
        "PATCH",
        f"/api/v1/vendors/{created['code']}",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {client.token}",
    )
    assert_bad_input(response, "body")


def test_a_filter_outside_its_choices_is_named(api_for, board_a):
    assert_bad_input(api_for(board_a).get("/api/v1/transactions", {"partner": "momo"}), "partner")


def test_null_fields_in_a_vendor_patch_stay_as_they_are(api_for, board_a, market_a):
    client = api_for(board_a)
    created = client.post("/api/v1/vendors", vendor_payload(market_a)).json()

    response = client.patch(f"/api/v1/vendors/{created['code']}", {"stall_number": None, "trade_name": "Rau Lan"})

    assert response.status_code == 200, response.content
    assert response.json()["stall_number"] == created["stall_number"]
    assert response.json()["trade_name"] == "Rau Lan"


def test_another_markets_report_is_not_found_whatever_its_dates(api_for, board_a, market_b):
    response = api_for(board_a).get(f"/api/v1/adoption/markets/{market_b.code}", {"date": "2999-01-01"})
    assert response.status_code == 404


def test_the_register_and_the_report_have_their_own_market_schemas(client):
    document = client.get("/api/v1/openapi.json").json()
    register = document["components"]["schemas"]["MarketOut"]
    report = document["components"]["schemas"]["MarketFiguresOut"]
    assert "district_name" in register["properties"] and "stalls" not in register["properties"]
    assert "stalls" in report["properties"]


def test_every_operation_documents_its_refusals(client):
    document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path == "/api/v1/health":
                continue
            documented = set(operation["responses"])
            assert {"401", "403", "404"} <= documented, (method, path, documented)
            if operation.get("parameters") or "requestBody" in operation:
                assert "422" in documented, (method, path)


def test_files_are_described_as_files(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    qr = paths["/api/v1/vendors/{code}/payment-codes/{code_id}/qr.png"]["get"]["responses"]
    assert "image/png" in qr["200"]["content"] and "410" in qr
    poster = paths["/api/v1/vendors/{code}/poster.pdf"]["get"]["responses"]
    assert "application/pdf" in poster["200"]["content"] and "409" in poster


def _job(board, market, *, dry_run: bool, state: str) -> ImportJob:
    from core import clock

    return ImportJob.objects.create(
        market=market,
        actor=board,
        filename="nhap.csv",
        content="Số sạp,Họ và tên\n".encode(),
        dry_run=dry_run,
        state=state,
        created_at=clock.now(),
    )


@pytest.mark.parametrize(("dry_run", "state"), [(False, "done"), (True, "running"), (True, "failed")])
def test_only_a_finished_dry_run_can_be_confirmed(board_a, market_a, dry_run, state):
    job = _job(board_a, market_a, dry_run=dry_run, state=state)
    browser = Client()
    browser.force_login(board_a)

    response = browser.post(f"/vendors/import/{job.pk}/confirm/", follow=True)

    assert response.status_code == 200
    assert "Chỉ xác nhận được một lần chạy thử đã xong" in response.content.decode()
    assert ImportJob.objects.count() == 1
    with pytest.raises(import_jobs.Conflict):
        import_jobs.import_job_confirm(actor=board_a, job=job)
