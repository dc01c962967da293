"""Each role's home: the board's market today, the operator's desk."""

import datetime as dt

import pytest

from core import clock
from tests.payments.kit import lan, partner_secrets, post, vnpt, vnpt_body  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen_now(monkeypatch):
    moment = dt.datetime(2026, 11, 20, 9, 0, tzinfo=clock.BUSINESS_TZ)
    monkeypatch.setattr(clock, "now", lambda: moment)
    return moment


def pay(client, txn_id: str, amount: int, completed_at: str) -> None:
    signed_at = int(clock.now().timestamp())
    headers, body = vnpt(vnpt_body(txn_id, amount=amount, completed_at=completed_at), msg_id=txn_id, ts=signed_at)
    assert post(client, "vnpt", headers, body).status_code == 200


def test_board_lands_on_its_market_today_with_todays_takings(client, board_a, lan, frozen_now):
    pay(client, "VNPT1", 45_000, "2026-11-20T08:15:29+07:00")
    pay(client, "VNPT2", 1_205_000, "2026-11-20T08:45:00+07:00")
    pay(client, "VNPT3", 99_000, "2026-11-19T23:59:59+07:00")  # yesterday, business time

    client.force_login(board_a)
    landing = client.get("/", follow=True)

    assert landing.redirect_chain[-1][0] == "/markets/NK01/today/"
    page = landing.content.decode()
    assert "Chợ Tân An" in page and "20/11/2026" in page
    assert "1.250.000 ₫" in page
    assert "2 lượt thanh toán" in page
    assert "Nguyễn Thị Lan" in page


def test_board_cannot_open_another_markets_day(client, board_b, market_a):
    client.force_login(board_b)
    assert client.get(f"/markets/{market_a.code}/today/").status_code == 404


def test_operator_desk_shows_partner_configuration_without_secrets(client, operator, settings):
    settings.MOBIFONE_BIN = ""
    client.force_login(operator)

    page = client.get("/").content.decode()

    assert "Cấu hình ví đối tác" in page
    assert "971011" in page and "971005" in page
    assert "Chưa đặt MOBIFONE_BIN" in page
    for secret in settings.VNPT_WEBHOOK_SECRETS + settings.VIETTEL_CHECKSUM_KEYS:
        assert secret not in page


def test_department_lands_on_the_dashboard(client, department):
    client.force_login(department)
    assert client.get("/")["Location"] == "/dashboard/"
