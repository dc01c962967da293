"""A department officer reads the dashboard, drills into a market, exports
the tables and downloads the monthly report."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from core import clock
from tests.payments.kit import lan, partner_secrets, post, vnpt, vnpt_body  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def takings(client, lan, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 11, 20, 18, 0, tzinfo=clock.BUSINESS_TZ))
    signed_at = int(clock.now().timestamp())
    for txn, amount in [("VNPT-1", 45_000), ("VNPT-2", 1_205_000)]:
        headers, raw = vnpt(
            vnpt_body(txn, amount=amount, completed_at="2026-11-20T08:00:00+07:00"), msg_id=txn, ts=signed_at
        )
        assert post(client, "vnpt", headers, raw).status_code == 200


def test_officer_reads_the_dashboard_and_takes_the_figures_away(session, department, takings):
    session.login(department.username)
    page = session.page
    expect(page.get_by_role("heading", name="Thanh toán không dùng tiền mặt tại các chợ")).to_be_visible()
    expect(page.get_by_text("Số liệu của 109 chợ trong sổ đăng ký ngày 20/11/2026.")).to_be_visible()
    expect(page.get_by_role("heading", name="Theo phường/xã hiện nay (từ 01/07/2025)")).to_be_visible()
    expect(page.get_by_role("heading", name="Theo quận/huyện cũ (trước 01/07/2025)")).to_be_visible()
    expect(page.get_by_role("heading", name="Xếp hạng theo tỷ lệ giao dịch")).to_be_visible()
    assert page.locator("svg").count() >= 2  # the trend and the shares are drawn by the server
    session.screenshot("dashboard")

    page.get_by_role("link", name="Chợ Tân An").first.click()
    expect(page.get_by_role("heading", name="Chợ Tân An")).to_be_visible()
    session.screenshot("dashboard-market")
    page.get_by_role("link", name="Toàn thành phố").click()

    # Narrowed to one current unit: every figure is that unit's.
    page.get_by_label("Phường/xã hiện nay").select_option("31135")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Số liệu của 9 chợ: Mọi chợ trong sổ đăng ký · Phường Ninh Kiều (31135).")).to_be_visible()
    session.go(page.url.removeprefix(session.base_url))  # the narrowed page passes the same checks
    session.screenshot("dashboard-unit")

    for name in ["Bảng tính Excel (XLSX): mọi bảng", "CSV: Theo chợ", "Báo cáo tháng (PDF)"]:
        href = page.get_by_role("link", name=name).first.get_attribute("href")
        response = page.request.get(session.base_url + href)
        assert response.status == 200, name
        assert len(response.body()) > 1000, name


def test_officer_reads_every_market_in_the_chart_without_hovering(session, department, takings):
    session.login(department.username)
    page = session.go("/dashboard/?date=2026-11-20&period=month")
    chart = page.get_by_role("list", name="Tỷ lệ giao dịch theo chợ")
    bars = chart.get_by_role("listitem")
    expect(bars).to_have_count(109)

    texts = [" ".join(t.split()) for t in bars.all_inner_texts()]
    # Lan at Chợ Tân An is the one vendor paid: 1 of its 420 stalls.
    assert texts[0] == "1 Chợ Tân An 0,2%", texts[0]
    rates = [float(t.rsplit(" ", 1)[1].rstrip("%").replace(",", ".")) for t in texts]
    assert rates == sorted(rates, reverse=True)
    # Every name and value is on screen in full, not cut off nor left to a tooltip.
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('.market-bars li')].filter(li => {
            const box = li.getBoundingClientRect();
            return [...li.querySelectorAll('a, .value')].some(el => {
                const r = el.getBoundingClientRect();
                return el.scrollWidth > el.clientWidth || r.width === 0 || r.left < box.left || r.right > box.right + 0.5;
            });
        }).map(li => li.innerText)"""
    )
    assert not clipped, clipped
    expect(page.get_by_text("Mục tiêu 50,0%", exact=True)).to_be_visible()
    # The target line crosses each track at 50% on a scale to 60%.
    where = page.evaluate(
        """() => { const track = document.querySelector('.market-bars .track');
            return parseFloat(getComputedStyle(track, '::after').left) / track.getBoundingClientRect().width; }"""
    )
    assert abs(where - 50 / 60) < 0.01, where
    session.screenshot("dashboard-market-chart")
