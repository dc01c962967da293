"""The threshold watch: the flag at 80%, the board's list, the department's
bands with small bands hidden."""

import datetime as dt

import pytest
from django.test import Client

from printables.links import vendor_token
from revenue import watch
from tests.adoption.kit import TODAY, local, make_vendor, record

pytestmark = pytest.mark.django_db


def _earning(market, amount: int, *, day: dt.date = dt.date(2026, 6, 1)):
    vendor = make_vendor(market)
    if amount:
        record(vendor, amount=amount, at=local(day))
    return vendor


def test_a_vendor_at_80_percent_is_flagged_on_their_screen_and_to_their_board(
    client, settings, market_a, frozen, board_a, board_b
):
    settings.REVENUE_THRESHOLD_VND = 100_000_000
    near = _earning(market_a, 80_000_000)
    below = _earning(market_a, 79_999_999)
    # Last December counts in the twelve months, not in the year to date.
    rolling = _earning(market_a, 85_000_000, day=dt.date(2025, 12, 31))
    assert watch.vendor_watch(near, as_of=TODAY).flagged
    assert not watch.vendor_watch(below, as_of=TODAY).flagged
    rolled = watch.vendor_watch(rolling, as_of=TODAY)
    assert (rolled.year_to_date, rolled.twelve_months, rolled.flagged) == (0, 85_000_000, True)

    assert "Doanh thu qua Chợ 4.0 đã từ 80%" in client.get(f"/v/{vendor_token(near)}/").content.decode()
    assert "Doanh thu qua Chợ 4.0 đã từ 80%" not in client.get(f"/v/{vendor_token(below)}/").content.decode()

    desk = Client()
    desk.force_login(board_a)
    page = desk.get(f"/markets/{market_a.code}/revenue-watch/").content.decode()
    assert near.full_name in page and "80.000.000 ₫" in page and "85.000.000 ₫" in page
    assert "79.999.999" not in page
    other = Client()
    other.force_login(board_b)
    assert other.get(f"/markets/{market_a.code}/revenue-watch/").status_code == 404


def test_the_department_sees_counts_per_band_and_never_a_small_band(settings, market_a, market_b, frozen, department):
    settings.REVENUE_THRESHOLD_VND = 100_000_000
    for _ in range(6):
        _earning(market_a, 1_000_000)  # under 10%
    for _ in range(5):
        _earning(market_a, 60_000_000)  # 50% to 80%
    _earning(market_a, 120_000_000)  # the one vendor over the threshold
    for _ in range(3):
        _earning(market_b, 20_000_000)
    rows = {row.market.code: row.counts for row in watch.city_bands(as_of=TODAY)}
    # Market A: 6, 0, 5, 0, 1 → the 0s and the 1 hidden.
    assert rows[market_a.code] == (6, None, 5, None, None)
    assert rows[market_b.code] == (None, None, None, None, None)
    # Only one small band in a row: the next smallest is hidden with it.
    assert watch.suppress([12, 7, 9, 3, 20]) == (12, None, 9, None, 20)

    browser = Client()
    browser.force_login(department)
    page = browser.get("/revenue/bands/").content.decode()
    assert market_a.name in page and "Dưới 10.000.000 ₫" in page and "Từ 100.000.000 ₫ trở lên" in page
    assert "120.000.000" not in page and "Nguyễn" not in page


def test_bands_are_for_the_department_and_operators(market_a, board_a, operator):
    for user, status in ((board_a, 404), (operator, 200)):
        browser = Client()
        browser.force_login(user)
        assert browser.get("/revenue/bands/").status_code == status
