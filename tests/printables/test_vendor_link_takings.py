"""The vendor's link shows what came in today and over the week, in business time."""

import datetime as dt

import pytest

from core import clock
from printables.links import vendor_token
from tests.payments.kit import lan, partner_secrets, post, vnpt, vnpt_body  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db


def test_link_shows_todays_and_this_weeks_takings(client, lan, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 11, 20, 10, 0, tzinfo=clock.BUSINESS_TZ))
    signed_at = int(clock.now().timestamp())
    for txn, amount, at in [
        ("T1", 45_000, "2026-11-20T00:00:00+07:00"),  # first second of today
        ("T2", 1_205_000, "2026-11-20T09:30:00+07:00"),
        ("T3", 30_000, "2026-11-19T23:59:59+07:00"),  # yesterday
        ("T4", 70_000, "2026-11-13T12:00:00+07:00"),  # eight days ago: outside the week
    ]:
        headers, body = vnpt(vnpt_body(txn, amount=amount, completed_at=at), msg_id=txn, ts=signed_at)
        assert post(client, "vnpt", headers, body).status_code == 200

    page = client.get(f"/v/{vendor_token(lan)}/").content.decode()

    assert "Tiền vào hôm nay" in page
    assert "1.250.000 ₫" in page and "2 lượt thanh toán" in page
    assert "7 ngày qua: 1.280.000 ₫" in page
    assert "19/11/2026" in page and "13/11/2026" not in page
