"""GET /api/v1/transactions: filters, and boards see their own market only."""

import pytest

from tests.payments.kit import mobifone, mobifone_body, post, viettel, viettel_fields, vnpt, vnpt_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def traffic(client, lan, hoa):
    post(client, "vnpt", *vnpt(vnpt_body()))
    post(client, "viettel", *viettel(viettel_fields(trans_time="20261121090000", status="99")))
    post(client, "mobifone", *mobifone(mobifone_body("MBF-H1", account="0901111111", remark="C4HH8N3R4PB")))
    post(client, "vnpt", *vnpt(vnpt_body("VNPT-STRAY", account="0999999999"), msg_id="m9"))


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["partner_transaction_id"] for item in response.json()["items"]}


def test_item_has_the_documented_fields(api_for, operator, traffic, lan):
    items = api_for(operator).get("/api/v1/transactions", {"partner": "vnpt", "unattributed": False}).json()["items"]

    assert len(items) == 1
    item = items[0]
    assert item["partner"] == "vnpt"
    assert item["partner_transaction_id"] == "VNPT2611200000123"
    assert (item["kind"], item["status"], item["amount"]) == ("payment", "completed", 45000)
    assert item["completed_at"].startswith("2026-11-20T01:15:29")
    assert (item["business_date"], item["vendor"], item["market"]) == ("2026-11-20", lan.code, "NK01")


def test_filters(api_for, operator, traffic, lan, hoa):
    api = api_for(operator)

    assert ids(api.get("/api/v1/transactions")) == {
        "VNPT2611200000123",
        "VT26112008153012345",
        "MBF-H1",
        "VNPT-STRAY",
    }
    assert ids(api.get("/api/v1/transactions", {"market": "NK02"})) == {"MBF-H1"}
    assert ids(api.get("/api/v1/transactions", {"vendor": lan.code})) == {"VNPT2611200000123", "VT26112008153012345"}
    assert ids(api.get("/api/v1/transactions", {"business_date": "21/11/2026"})) == {"VT26112008153012345"}
    assert ids(api.get("/api/v1/transactions", {"date_from": "2026-11-20", "date_to": "2026-11-20"})) == {
        "VNPT2611200000123",
        "MBF-H1",
        "VNPT-STRAY",
    }
    assert ids(api.get("/api/v1/transactions", {"status": "failed"})) == {"VT26112008153012345"}
    assert ids(api.get("/api/v1/transactions", {"unattributed": True})) == {"VNPT-STRAY"}
    assert ids(api.get("/api/v1/transactions", {"kind": "refund"})) == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [({"partner": "momo"}, "partner"), ({"status": "ok"}, "status"), ({"business_date": "31/02/2026"}, "date_from")],
)
def test_bad_filters_name_the_field(api_for, operator, traffic, params, field):
    response = api_for(operator).get("/api/v1/transactions", params)

    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_board_sees_only_its_market(api_for, board_a, board_b, traffic, hoa):
    assert ids(api_for(board_a).get("/api/v1/transactions")) == {"VNPT2611200000123", "VT26112008153012345"}
    assert ids(api_for(board_b).get("/api/v1/transactions")) == {"MBF-H1"}


def test_board_asking_for_another_market_or_vendor_gets_404(api_for, board_b, traffic, lan):
    api = api_for(board_b)

    assert api.get("/api/v1/transactions", {"market": "NK01"}).status_code == 404
    assert api.get("/api/v1/transactions", {"vendor": lan.code}).status_code == 404


def test_department_sees_attributed_transactions_everywhere(api_for, department, traffic):
    assert "VNPT-STRAY" not in ids(api_for(department).get("/api/v1/transactions"))
    assert len(ids(api_for(department).get("/api/v1/transactions"))) == 3


def test_anonymous_is_refused(client, traffic):
    assert client.get("/api/v1/transactions").status_code == 401
