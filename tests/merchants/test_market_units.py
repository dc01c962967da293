"""Markets on today's administrative map: every market of the register in
its current commune-level unit, by the dataset's codes and names; the
markets whose former ward was split left for an operator; markets of the
merged city added in the admin."""

import csv
import re

import pytest
import vietnam_provinces
from vietnam_provinces import Ward

from core.models import AuditEntry
from merchants import units
from merchants.markets_register import REGISTER_CSV
from merchants.models import District, Market

# Former wards that the 2025 reform split between two current units.
SPLIT = {"BT03", "BT05", "BT09", "TN01"}


def register_lines() -> list[dict]:
    with REGISTER_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_city_on_the_dataset_is_the_merged_city_of_103_units():
    city = units.city_units()
    kinds = [u.kind for u in city.values()]
    assert (len(city), kinds.count("phường"), kinds.count("xã")) == (103, 31, 72)
    assert {u.code for u in city.values()} == {f"{int(w.code):05d}" for w in Ward.iter_by_province(92)}


@pytest.mark.parametrize("line", register_lines(), ids=lambda line: line["code"])
def test_each_register_market_is_in_the_unit_the_dataset_converts_its_former_ward_to(line):
    conversion = units.convert_former(District(line["district"]).label, line["ward"])
    assert conversion is not None, "the dataset knows the former ward"
    if line["code"] in SPLIT:
        assert len(conversion.candidates) >= 2
        assert (line["unit_code"], line["unit_name"]) == ("", "")
    else:
        assert conversion.unit is not None
        assert (line["unit_code"], line["unit_name"]) == (conversion.unit.code, conversion.unit.name)
        official = Ward.from_code(vietnam_provinces.WardCode(int(line["unit_code"])))
        assert (official.name, int(official.province_code)) == (line["unit_name"], 92)


def test_wards_merged_before_the_reform_go_through_the_ward_they_joined():
    # An Cư, An Nghiệp and An Phú joined Thới Bình on 1/11/2024, which is
    # now part of phường Ninh Kiều.
    for ward in ("An Cư", "An Nghiệp", "An Phú", "Thới Bình"):
        assert units.convert_former("Ninh Kiều", ward).unit.name == "Phường Ninh Kiều"


def test_a_town_and_a_commune_of_the_same_name_are_told_apart():
    assert units.convert_former("Vĩnh Thạnh", "Thị trấn Vĩnh Thạnh").former_ward == "Thị trấn Vĩnh Thạnh"
    assert units.convert_former("Vĩnh Thạnh", "Thạnh An").former_ward == "Xã Thạnh An"
    assert units.convert_former("Ninh Kiều", "Không Có") is None


def test_the_database_holds_the_register_mapping(db):
    rows = {m.code: m for m in Market.objects.all()}
    assert len(rows) == 109 and all(m.in_original_register for m in rows.values())
    assert {code for code, m in rows.items() if not m.unit_code} == SPLIT
    for line in register_lines():
        assert (rows[line["code"]].unit_code, rows[line["code"]].unit_name) == (line["unit_code"], line["unit_name"])


def test_the_admin_lists_the_markets_left_to_settle_with_their_candidates(client, operator):
    client.force_login(operator)
    page = client.get("/admin/merchants/market/", {"unit": "unsettled"}).content.decode()
    listed = set(re.findall(r'<th class="field-code"><a href="[^"]+">(\w+)</a>', page))
    assert listed == SPLIT
    market = Market.objects.get(code="BT05")
    change = client.get(f"/admin/merchants/market/{market.pk}/change/").content.decode()
    assert "Phường Cái Khế (31120)" in change and "Phường Bình Thủy (31168)" in change


def admin_form(**overrides) -> dict:
    form = {
        "code": "HG01",
        "name": "Chợ Vị Thanh",
        "unit_code": "",
        "district": "",
        "ward": "",
        "market_class": "2",
        "stall_count": "210",
        "pilot_start_date": "",
    }
    vi_thanh = next(u for u in units.city_units().values() if u.name == "Phường Vị Thanh")
    form["unit_code"] = vi_thanh.code
    return {**form, **overrides}


def test_an_operator_adds_a_market_of_the_former_hau_giang_in_the_admin(client, operator):
    client.force_login(operator)
    response = client.post("/admin/merchants/market/add/", admin_form())
    assert response.status_code == 302
    market = Market.objects.get(code="HG01")
    assert market.unit_name == "Phường Vị Thanh" and not market.in_original_register and market.district == ""
    entry = AuditEntry.objects.get(action="market.create", object_id=str(market.pk))
    assert entry.actor == operator and entry.after["unit_code"] == market.unit_code


def test_an_operator_settles_a_split_market(client, operator):
    client.force_login(operator)
    market = Market.objects.get(code="BT05")
    form = admin_form(
        code="BT05", name=market.name, unit_code="31168", district="binh-thuy", ward=market.ward, stall_count="80"
    )
    assert client.post(f"/admin/merchants/market/{market.pk}/change/", form).status_code == 302
    market.refresh_from_db()
    assert (market.unit_code, market.unit_name, market.in_original_register) == ("31168", "Phường Bình Thủy", True)
    entry = AuditEntry.objects.get(action="market.update", object_id=str(market.pk))
    assert (entry.before["unit_code"], entry.after["unit_code"]) == ("", "31168")


def test_a_unit_outside_the_city_is_refused_and_nothing_is_written(client, operator):
    client.force_login(operator)
    response = client.post("/admin/merchants/market/add/", admin_form(unit_code="00004"))  # Ba Đình, Hà Nội
    assert response.status_code == 200
    assert "unit_code" in response.context["adminform"].form.errors
    assert not Market.objects.filter(code="HG01").exists()


def test_the_register_api_filters_by_current_unit_and_original_group(api_for, department):
    client = api_for(department)
    body = client.get("/api/v1/markets", {"unit": "31135"}).json()
    assert {m["code"] for m in body["items"]} == {
        "NK01", "NK02", "NK04", "NK09", "NK10", "NK11", "NK14", "NK17", "NK18"
    }  # fmt: skip
    assert {m["unit_name"] for m in body["items"]} == {"Phường Ninh Kiều"}
    assert client.get("/api/v1/markets", {"original": "false"}).json()["count"] == 0
