"""Each measure on a small hand-made city, the answer worked out here.

Today is Friday 20/11/2026. Every market has 100 stalls except:
  A = NK01 (pilot, 10 stalls), B = NK02 (pilot, 8 stalls, leaves the pilot
  yesterday evening), C = the first market outside the pilot (5 stalls).

Vendors of A: lan and mai (active, code), cuc (active, code, suspended after
yesterday's snapshot), tam (active, code revoked), dao (draft), hung
(closed). B: hoa (active, code). C: son (active, code).

Transactions (payments unless said):
  lan  VNPT     100.000  today 10:00       refunded 20.000 today 11:00
  lan  Viettel   50.000  10 days ago
  mai  VNPT     200.000  8 days ago
  mai  MobiFone  70.000  2 days ago, then reversed
  cuc  MobiFone  30.000  20 days ago
  tam  VNPT      40.000  29 days ago 00:00:00 (first second of the window)
  hung VNPT      60.000  30 days ago 23:59:59 (last second before it)
  hoa  VNPT      15.000  today 00:30 (17:30 UTC yesterday)
  hoa  VNPT       5.000  3 days ago
  son  Viettel   25.000  yesterday, failed
"""

import datetime as dt

import pytest

from adoption import selectors, services
from adoption.sources import TRANSACTIONS
from merchants.models import Market, Vendor
from tests.adoption.kit import TODAY, change_status, days_ago, local, make_vendor, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(frozen):
    Market.objects.update(stall_count=100)
    a, b = Market.objects.get(code="NK01"), Market.objects.get(code="NK02")
    c = Market.objects.filter(is_pilot=False).order_by("code").first()
    Market.objects.filter(pk=a.pk).update(stall_count=10)
    Market.objects.filter(pk=b.pk).update(stall_count=8)
    Market.objects.filter(pk=c.pk).update(stall_count=5)
    v = {
        "lan": make_vendor(a, partners=("vnpt", "viettel")),
        "mai": make_vendor(a),
        "cuc": make_vendor(a, partners=("mobifone",)),
        "tam": make_vendor(a, with_code=False),
        "dao": make_vendor(a, status="draft", with_code=False),
        "hung": make_vendor(a, status="closed", with_code=False),
        "hoa": make_vendor(b),
        "son": make_vendor(c, partners=("viettel",)),
    }
    paid = record(v["lan"], amount=100_000, at=local(TODAY, 10))
    record(v["lan"], amount=20_000, at=local(TODAY, 11), kind="refund", original=paid)
    record(v["lan"], amount=50_000, at=local(days_ago(10), 9), partner="viettel")
    record(v["mai"], amount=200_000, at=local(days_ago(8), 8))
    reversed_later = record(v["mai"], amount=70_000, at=local(days_ago(2), 12), partner="mobifone")
    record(v["cuc"], amount=30_000, at=local(days_ago(20), 7), partner="mobifone")
    record(v["tam"], amount=40_000, at=local(days_ago(29), 0, 0, 0))
    record(v["hung"], amount=60_000, at=local(days_ago(30), 23, 59, 59))
    record(v["hoa"], amount=15_000, at=local(TODAY, 0, 30))
    record(v["hoa"], amount=5_000, at=local(days_ago(3), 10))
    record(v["son"], amount=25_000, at=local(days_ago(1), 10), partner="viettel", status="failed")
    change_status(reversed_later, "reversed")

    # Yesterday's register is recorded before B leaves the pilot and cuc is suspended.
    services.register_record(day=days_ago(1))
    Market.objects.filter(pk=b.pk).update(is_pilot=False)
    Vendor.objects.filter(pk=v["cuc"].pk).update(status="suspended")
    return {"a": a, "b": b, "c": c, **v}


def month() -> selectors.Period:
    return selectors.period_for(day=TODAY, period="month")


def test_vendors_registered_onboarded_and_transacting_per_market(city):
    report = selectors.adoption_report(period=month())
    a, b, c = (report.market(city[k].code).figures for k in "abc")
    # A: registered = lan, mai, cuc (suspended), tam; draft dao and closed hung are not.
    # With an active code: lan and mai (cuc is suspended, tam's code is revoked).
    # 30 days (22/10..20/11): lan, mai, cuc, tam; hung's 21/10 23:59:59 is outside.
    # 7 days (14/11..20/11): lan only (mai's payment of 18/11 was reversed).
    assert (a.stalls, a.vendors_registered, a.vendors_with_code) == (10, 4, 2)
    assert (a.transacting_7d, a.transacting_30d) == (1, 4)
    assert (a.adoption_permille, a.onboarding_permille) == (400, 200)
    # B: hoa paid at 00:30 local today, which is yesterday in UTC: still today.
    assert (b.stalls, b.vendors_registered, b.vendors_with_code, b.transacting_7d, b.transacting_30d) == (8, 1, 1, 1, 1)
    assert (b.adoption_permille, b.onboarding_permille) == (125, 125)
    # C: son's only transaction failed.
    assert (c.transacting_30d, c.markets_live, c.adoption_permille, c.onboarding_permille) == (0, 0, 0, 200)


def test_money_by_partner_nets_refunds_and_ignores_reversed_and_failed(city):
    report = selectors.adoption_report(period=month())
    a = report.market(city["a"].code).figures
    # November up to today: VNPT 100.000 (today) + 200.000 (12/11), refund 20.000;
    # Viettel 50.000 (10/11); MobiFone 70.000 reversed; October payments are outside.
    assert (a.flows["vnpt"].payments_count, a.flows["vnpt"].payments_amount) == (2, 300_000)
    assert (a.flows["vnpt"].refunds_count, a.flows["vnpt"].net_amount) == (1, 280_000)
    assert (a.flows["viettel"].payments_count, a.flows["viettel"].net_amount) == (1, 50_000)
    assert (a.flows["mobifone"].payments_count, a.flows["mobifone"].net_amount) == (0, 0)
    assert (a.total.payments_count, a.total.payments_amount, a.total.refunds_amount, a.total.net_amount) == (
        3,
        350_000,
        20_000,
        330_000,
    )
    city_total = report.cohorts["city"].total
    assert (city_total.payments_count, city_total.net_amount) == (5, 350_000)  # + hoa's 15.000 and 5.000
    assert report.cohorts["city"].partner_share_permille("vnpt") == 857  # 300.000 / 350.000

    today = selectors.adoption_report(period=selectors.period_for(day=TODAY, period="day"))
    assert today.market(city["a"].code).figures.total.net_amount == 80_000
    assert today.cohorts["city"].total.net_amount == 95_000


def test_cohorts_follow_the_pilot_as_it_stood_each_day(city):
    other_stalls = 100 * (109 - 3)
    report = selectors.adoption_report(period=month())
    pilot, other, whole = (report.cohorts[k] for k in ("pilot", "other", "city"))
    # Today B has left the pilot: 17 pilot markets, A the only live one.
    assert (pilot.markets, pilot.markets_live, other.markets, other.markets_live) == (17, 1, 92, 1)
    assert (whole.markets, whole.markets_live) == (109, 2)
    assert whole.stalls == other_stalls + 10 + 8 + 5
    assert pilot.stalls == 16 * 100 + 10
    assert (pilot.transacting_30d, pilot.adoption_permille) == (4, 2)  # 4 / 1.610 = 0,25% → 0,2%

    yesterday = selectors.adoption_report(period=selectors.period_for(day=days_ago(1), period="day"))
    pilot = yesterday.cohorts["pilot"]
    # Yesterday B was a pilot market (the recorded register says so) and live
    # through hoa's payment of 17/11; A's 30 days (21/10..19/11) now include hung.
    assert (pilot.markets, pilot.markets_live) == (18, 2)
    a = yesterday.market(city["a"].code)
    assert (a.figures.transacting_30d, a.figures.vendors_with_code) == (5, 3)  # cuc still active yesterday
    assert yesterday.market(city["b"].code).in_pilot


def test_rankings_growth_and_projection(city):
    report = selectors.adoption_report(period=month())
    a, b = report.market(city["a"].code), report.market(city["b"].code)
    # 28 days ago (23/10) A had tam (22/10) and hung (21/10): 2 of 10 = 20,0%.
    assert (a.growth_permille, b.growth_permille) == (200, 125)
    assert [r.market.code for r in report.by_adoption[:2]] == [city["a"].code, city["b"].code]
    assert [r.market.code for r in report.by_growth[:2]] == [city["a"].code, city["b"].code]
    # A gains 20 points in 4 weeks; 10 more to 50% take 2 weeks.
    assert a.projection.eta == TODAY + dt.timedelta(weeks=2)
    pilot_target, live_target = report.projections
    # The other 16 pilot markets are not moving: no date at the current pace.
    assert (pilot_target.current, pilot_target.target, pilot_target.reached, pilot_target.eta) == (0, 17, False, None)
    # 2 markets live now, 1 four weeks ago: 107 more at 1 per 4 weeks.
    assert (live_target.current, live_target.target) == (2, 109)
    assert live_target.eta == TODAY + dt.timedelta(weeks=428)


def test_weekly_trend_pilot_against_the_rest(city):
    report = selectors.adoption_report(period=month())
    assert [p.day for p in report.trend][-3:] == [days_ago(14), days_ago(7), TODAY]
    week_ago = report.trend[-2]
    # 13/11, window 15/10..13/11: lan, mai, cuc, tam, hung = 5 of A; B none.
    # The past day has no recorded register: the cohort is by pilot start
    # date as the register stands now, so B (no longer pilot) is "other".
    assert week_ago.rates["pilot"] == 3  # 5 / 1.610 = 0,31%
    assert (week_ago.live["pilot"], week_ago.live["other"]) == (1, 0)
    assert week_ago.week_flow.net_amount == 200_000 + 50_000  # 07/11..13/11


def test_rollups_and_straight_computation_agree(city):
    from adoption.api import report_out

    period = month()
    assert report_out(selectors.adoption_report(period=period)) == report_out(
        selectors.adoption_report(period=period, source=TRANSACTIONS)
    )


def test_targets_come_from_the_settings(city, settings):
    settings.ADOPTION_TARGET_PILOT_PERCENT = 60
    settings.ADOPTION_TARGET_LIVE_PERCENT = 50
    report = selectors.adoption_report(period=month())
    a = report.market(city["a"].code)
    # A gains 20 points in 4 weeks; 20 more to 60% take 4 weeks.
    assert (a.projection.target, a.projection.eta) == (600, TODAY + dt.timedelta(weeks=4))
    assert report.targets.pilot_rate_percent == 60
    _pilot_target, live_target = report.projections
    assert live_target.target == 55  # half of 109 markets, rounded up
