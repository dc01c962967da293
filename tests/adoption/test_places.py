"""The report by place: grouped by current commune-level unit and by former
district, each under a heading naming its map; narrowed to one place or to
the programme's original 109 markets; city figures counting the markets in
the register on the report's day."""

import csv
import io

import pypdf
import pytest

from core.models import Role
from merchants import services
from merchants.models import Market
from tests.adoption.kit import TODAY, days_ago, local, make_vendor, record
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NINH_KIEU = "31135"  # Phường Ninh Kiều: the former Tân An, Xuân Khánh, Thới Bình and the wards merged into it


@pytest.fixture
def paid(frozen, market_a, market_b):
    lan = make_vendor(market_a)
    payment = record(lan, amount=1_250_000, at=local(TODAY, 9))
    record(lan, amount=250_000, at=local(TODAY, 10), kind="refund", original=payment)
    record(make_vendor(market_b), amount=40_000, at=local(days_ago(9), 9), partner="viettel")
    return lan


def new_market(code: str = "HG01", *, registered_on=TODAY) -> Market:
    """A market of the former Hậu Giang, added by an operator."""
    operator = make_user(f"vh_{code.lower()}", Role.OPERATOR)
    market = Market(
        code=code,
        name="Chợ Vị Thanh",
        unit_code="31321",
        market_class="2",
        stall_count=200,
        registered_on=registered_on,
    )
    return services.market_save(actor=operator, market=market, before=None)


def places(body: dict, grouping: str) -> dict[str, dict]:
    found = next(p for p in body["places"] if p["grouping"] == grouping)
    return {row["key"]: row for row in found["rows"]}


def test_the_api_groups_by_current_unit_and_by_former_district(api_for, department, paid):
    body = api_for(department).get("/api/v1/adoption", {"date": TODAY.isoformat()}).json()
    headings = [p["heading"] for p in body["places"]]
    assert headings == ["Theo phường/xã hiện nay (từ 01/07/2025)", "Theo quận/huyện cũ (trước 01/07/2025)"]

    unit = places(body, "unit")[NINH_KIEU]
    assert (unit["name"], unit["markets"], unit["markets_live"], unit["net_amount"]) == (
        "Phường Ninh Kiều",
        9,
        2,
        1_040_000,
    )
    district = places(body, "former_district")["ninh-kieu"]
    assert (district["name"], district["markets"], district["markets_live"]) == ("Ninh Kiều", 18, 2)
    # The four markets whose former ward was split are counted apart, not guessed.
    assert places(body, "unit")[""]["markets"] == 4
    for grouping in ("unit", "former_district"):
        assert sum(r["markets"] for r in places(body, grouping).values()) == 109
    nk01 = next(m for m in body["markets"] if m["code"] == "NK01")
    assert (nk01["unit_code"], nk01["unit_name"], nk01["former_district"], nk01["former_ward"]) == (
        NINH_KIEU,
        "Phường Ninh Kiều",
        "ninh-kieu",
        "Tân An",
    )


def test_the_report_narrows_to_one_unit_or_one_former_district(api_for, department, paid):
    client = api_for(department)
    by_unit = client.get("/api/v1/adoption", {"date": TODAY.isoformat(), "unit": NINH_KIEU}).json()
    assert by_unit["scope"]["markets"] == len(by_unit["markets"]) == 9
    assert by_unit["cohorts"][0]["net_amount"] == 1_040_000
    assert "Phường Ninh Kiều (31135)" in by_unit["scope"]["covers"]
    by_district = client.get("/api/v1/adoption", {"date": TODAY.isoformat(), "former_district": "cai-rang"}).json()
    assert {m["code"][:2] for m in by_district["markets"]} == {"CR"} and by_district["cohorts"][0]["net_amount"] == 0


def test_a_bad_place_is_refused_with_the_field_and_the_nearest_names(api_for, department, frozen):
    response = api_for(department).get("/api/v1/adoption", {"unit": "Ninh Kieu", "former_district": "hau-giang"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "Phường Ninh Kiều (31135)" in errors["unit"][0]
    assert "former_district" in errors


def test_city_figures_count_the_markets_in_the_register_that_day(api_for, department, paid):
    client = api_for(department)
    before = client.get("/api/v1/adoption", {"date": TODAY.isoformat(), "period": "day"}).json()
    new_market(registered_on=TODAY)

    today = client.get("/api/v1/adoption", {"date": TODAY.isoformat(), "period": "day"}).json()
    yesterday = client.get("/api/v1/adoption", {"date": days_ago(1).isoformat(), "period": "day"}).json()
    city = {r["key"]: r for r in today["cohorts"]}["city"]
    assert city["markets"] == 110 and today["scope"]["covers"] == "110 chợ trong sổ đăng ký ngày 20/11/2026"
    assert {r["key"]: r for r in yesterday["cohorts"]}["city"]["markets"] == 109
    assert today["trend"][-1]["markets"] == 110 and today["trend"][-2]["markets"] == 109
    assert places(today, "former_district")[""]["markets"] == 1  # outside the nine former districts
    # The pilot cohort is what it was.
    assert {r["key"]: r for r in today["cohorts"]}["pilot"] == {r["key"]: r for r in before["cohorts"]}["pilot"]


def test_the_original_109_stay_a_selectable_group(api_for, department, client, paid):
    new_market()
    body = api_for(department).get("/api/v1/adoption", {"date": TODAY.isoformat(), "group": "original"}).json()
    assert body["scope"]["markets"] == 109 and "HG01" not in {m["code"] for m in body["markets"]}
    assert body["scope"]["covers"] == "109 chợ: 109 chợ ban đầu của chương trình"

    client.force_login(department)
    page = client.get("/dashboard/", {"date": TODAY.isoformat(), "group": "original"}).content.decode()
    assert "2 <small>/ 109 chợ</small>" in page
    assert "trên 109 chợ: 109 chợ ban đầu của chương trình" in page
    page = client.get("/dashboard/", {"date": TODAY.isoformat()}).content.decode()
    assert "2 <small>/ 110 chợ</small>" in page and "trên 110 chợ trong sổ đăng ký ngày 20/11/2026" in page


def test_the_dashboard_shows_both_groupings_and_a_bad_filter_is_explained(client, department, paid):
    client.force_login(department)
    page = client.get("/dashboard/", {"date": TODAY.isoformat()}).content.decode()
    assert "Theo phường/xã hiện nay (từ 01/07/2025)" in page and "Theo quận/huyện cũ (trước 01/07/2025)" in page
    assert 'id="places-unit"' in page and "Chưa xác định phường/xã hiện nay" in page
    assert '<option value="31135">Phường Ninh Kiều (31135)</option>' in page

    page = client.get("/dashboard/", {"date": TODAY.isoformat(), "unit": "99999"}).content.decode()
    assert "Mã phường/xã “99999” không có" in page and "2 <small>/ 109 chợ</small>" in page


def test_exports_and_the_monthly_report_carry_the_groupings(client, api_for, department, paid):
    response = api_for(department).get(
        "/api/v1/adoption/export", {"format": "csv", "table": "units", "date": TODAY.isoformat()}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    line = next(r for r in rows if r["Phường/xã hiện nay (mã)"] == "Phường Ninh Kiều (31135)")
    assert (line["Số chợ"], line["Chợ có giao dịch"], line["Giá trị thuần (đồng)"]) == ("9", "2", "1040000")
    markets = api_for(department).get("/api/v1/adoption/export", {"format": "csv", "table": "markets"})
    header = next(csv.reader(io.StringIO(markets.content.decode("utf-8-sig")), delimiter=";"))
    assert {"Phường/xã hiện nay", "Mã phường/xã", "Quận/huyện cũ (trước 01/07/2025)", "Phường/xã cũ"} <= set(header)

    client.force_login(department)
    pdf = client.get("/dashboard/report.pdf", {"month": "2026-11"}).content
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "8. Theo phường/xã hiện nay (từ 01/07/2025)" in text
    assert "9. Theo quận/huyện cũ (trước 01/07/2025)" in text
    assert "Phường Ninh Kiều (31135)" in text
