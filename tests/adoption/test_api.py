"""GET /api/v1/adoption and /api/v1/adoption/markets/{code}: the figures of
the selectors, tenancy, and clear errors for bad input."""

import datetime as dt

import pytest

from adoption import services
from adoption.schemas import AdoptionOut, MarketAdoptionOut
from core import clock
from tests.adoption.kit import NOW, TODAY, days_ago, local, make_vendor, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(frozen, market_a, market_b):
    lan = make_vendor(market_a)
    hoa = make_vendor(market_b)
    payment = record(lan, amount=1_250_000, at=local(TODAY, 9))
    record(lan, amount=250_000, at=local(TODAY, 10), kind="refund", original=payment)
    record(hoa, amount=40_000, at=local(days_ago(9), 9), partner="viettel")
    return {"lan": lan, "hoa": hoa}


def test_city_adoption_for_the_department(api_for, department, market_a, paid):
    response = api_for(department).get("/api/v1/adoption", {"date": TODAY.isoformat(), "period": "month"})

    assert response.status_code == 200
    body = response.json()
    assert (body["first_day"], body["as_of"], body["period"]) == ("2026-11-01", "2026-11-20", "month")
    city = next(c for c in body["cohorts"] if c["key"] == "city")
    # 1.250.000 paid, 250.000 refunded (NK01) + 40.000 (NK02).
    assert (city["payments_count"], city["net_amount"], city["net_amount_text"]) == (2, 1_040_000, "1.040.000 ₫")
    assert (city["markets"], city["markets_live"]) == (109, 2)
    nk01 = next(m for m in body["markets"] if m["code"] == market_a.code)
    # One vendor transacting out of 420 stalls: 0,238% → 0,2%.
    assert (nk01["transacting_30d"], nk01["adoption_rate"], nk01["adoption_rate_text"]) == (1, 0.2, "0,2%")
    vnpt = next(p for p in nk01["by_partner"] if p["partner"] == "vnpt")
    assert (vnpt["payments_amount"], vnpt["refunds_amount"], vnpt["net_amount"]) == (1_250_000, 250_000, 1_000_000)
    assert len(body["trend"]) == 12 and body["trend"][-1]["date"] == "2026-11-20"
    assert [p["key"] for p in body["projections"]] == ["pilot_rate", "markets_live"]
    AdoptionOut.model_validate(body)  # the documented shape


def test_day_and_week_periods(api_for, department, paid):
    client = api_for(department)
    day = client.get("/api/v1/adoption", {"date": "2026-11-11", "period": "day"}).json()
    week = client.get("/api/v1/adoption", {"date": "2026-11-11", "period": "week"}).json()
    city_day = next(c for c in day["cohorts"] if c["key"] == "city")
    city_week = next(c for c in week["cohorts"] if c["key"] == "city")
    # hoa's payment was on 11/11; the week is Monday 09/11 to Sunday 15/11.
    assert (city_day["payments_count"], city_day["net_amount"]) == (1, 40_000)
    assert (week["first_day"], week["last_day"], week["as_of"]) == ("2026-11-09", "2026-11-15", "2026-11-15")
    assert city_week["net_amount"] == 40_000


def test_bad_period_and_future_date_are_refused_by_name(api_for, department, frozen):
    client = api_for(department)
    bad_period = client.get("/api/v1/adoption", {"period": "year"})
    future = client.get("/api/v1/adoption", {"date": "2026-11-21"})
    garbled = client.get("/api/v1/adoption", {"date": "21-11"})

    assert bad_period.status_code == 422 and "period" in bad_period.json()["errors"]
    assert future.status_code == 422 and "date" in future.json()["errors"]
    assert garbled.status_code == 422 and "date" in garbled.json()["errors"]


def test_board_sees_its_market_only(api_for, board_a, market_a, market_b, paid):
    client = api_for(board_a)

    own = client.get(f"/api/v1/adoption/markets/{market_a.code}", {"date": TODAY.isoformat()})
    other = client.get(f"/api/v1/adoption/markets/{market_b.code}")
    city = client.get("/api/v1/adoption")

    assert own.status_code == 200
    market = own.json()["market"]
    # NK02: 1 of 380 stalls (0,3%) ranks above NK01: 1 of 420 (0,2%).
    assert (market["code"], market["net_amount"], market["rank_adoption"]) == (market_a.code, 1_000_000, 2)
    assert own.json()["markets_in_city"] == 109
    MarketAdoptionOut.model_validate(own.json())
    assert other.status_code == 404
    assert city.status_code == 404


def test_unknown_market_and_anonymous(api_for, department, frozen):
    assert api_for(department).get("/api/v1/adoption/markets/XX99").status_code == 404
    assert api_for().get("/api/v1/adoption").status_code == 401


def test_a_past_day_uses_the_recorded_register(api_for, department, market_a, paid, monkeypatch):
    services.register_record(day=TODAY)  # the evening's record of the day
    # The next day: a vendor registered since would count if the live register were read.
    monkeypatch.setattr(clock, "now", lambda: NOW + dt.timedelta(days=1))
    make_vendor(market_a)
    body = api_for(department).get("/api/v1/adoption", {"date": TODAY.isoformat(), "period": "day"}).json()
    nk01 = next(m for m in body["markets"] if m["code"] == market_a.code)
    assert (nk01["vendors_registered"], nk01["vendors_with_code"]) == (1, 1)
