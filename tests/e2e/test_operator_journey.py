"""An operator's night and morning: partner health, the webhook log with
replay, the unattributed queue, a settlement upload and its exceptions."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from core import clock
from payments.models import Transaction
from reconciliation.models import ReconciliationException
from tests.payments.kit import lan, partner_secrets, post, vnpt, vnpt_body  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db(transaction=True)
DAY = "2026-11-20"


@pytest.fixture
def night(client, lan, monkeypatch):
    """Two payments to Lan, one to an account nobody holds, one forged delivery."""
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 11, 21, 8, 0, tzinfo=clock.BUSINESS_TZ))
    signed_at = int(clock.now().timestamp())
    for txn, account, amount in [
        ("VNPT-A", "0912345678", 45_000),
        ("VNPT-B", "0912345678", 120_000),
        ("VNPT-STRAY", "0999999999", 30_000),
    ]:
        body = vnpt_body(txn, account=account, amount=amount, reference=None, completed_at=f"{DAY}T09:00:00+07:00")
        headers, raw = vnpt(body, msg_id=txn, ts=signed_at)
        assert post(client, "vnpt", headers, raw).status_code == 200
    headers, raw = vnpt(vnpt_body("VNPT-FORGED"), msg_id="forged", ts=signed_at, key=b"not-the-key")
    assert post(client, "vnpt", headers, raw).status_code == 401


def settlement_csv(tmp_path):
    """The partner settles VNPT-B for less than was notified."""
    path = tmp_path / "VNPT_SETTLEMENT_20261120.csv"
    path.write_text(
        "transaction_id,type,completed_at,credit_account,reference,amount,fee,net_amount,original_transaction_id\n"
        f"VNPT-A,PAYMENT,{DAY}T09:00:00+07:00,0912345678,,45000,0,45000,\n"
        f"VNPT-B,PAYMENT,{DAY}T09:00:00+07:00,0912345678,,100000,0,100000,\n"
        f"VNPT-STRAY,PAYMENT,{DAY}T09:00:00+07:00,0999999999,,30000,0,30000,\n",
        encoding="utf-8",
    )
    return path


def test_operator_works_through_the_morning(session, operator, lan, night, tmp_path):
    session.login(operator.username)
    page = session.page
    expect(page.get_by_role("heading", name="Cấu hình ví đối tác")).to_be_visible()
    session.screenshot("operator-desk")

    page.get_by_role("link", name="Nhật ký webhook").click()
    expect(page.get_by_role("heading", name="Nhật ký nhận webhook")).to_be_visible()
    expect(page.get_by_text("VNPT-STRAY").first).to_be_visible()
    session.screenshot("webhook-deliveries")
    page.get_by_role("button", name="Chạy lại").first.click()
    expect(page.locator(".messages")).to_be_visible()

    session.go("/transactions/unattributed/")
    page.get_by_label("Chợ").first.fill(lan.market.code)
    page.get_by_label("Số sạp").first.fill(lan.stall_number)
    page.get_by_label("Ghi chú").first.fill("Tài khoản mới của cô Lan, đã xác minh qua điện thoại")
    page.get_by_role("button", name="Gán").first.click()
    expect(page.locator(".messages")).to_be_visible()
    assert Transaction.objects.get(partner_transaction_id="VNPT-STRAY").vendor == lan

    session.go("/reconciliation/upload/")
    page.get_by_label("Tệp đối soát").set_input_files(str(settlement_csv(tmp_path)))
    page.get_by_role("button", name="Nhập và đối soát").click()
    expect(page.get_by_text("Đã nhập VNPT_SETTLEMENT_20261120.csv")).to_be_visible()
    session.screenshot("reconciliation")

    session.go("/reconciliation/exceptions/?status=open")
    expect(page.get_by_text("VNPT-B").first).to_be_visible()
    session.screenshot("reconciliation-exceptions")
    page.get_by_label("Cách đã xử lý").first.fill("Ví xác nhận giảm giá 20.000 ₫ cho khách; đã báo tiểu thương")
    page.get_by_label("Áp dụng số tiền theo tệp của ví").first.check()
    page.get_by_role("button", name="Đóng chênh lệch").first.click()
    expect(page.locator(".messages")).to_be_visible()
    resolved = ReconciliationException.objects.get(partner_txn_id="VNPT-B")
    assert resolved.status == "resolved" and resolved.resolved_by == operator
    assert Transaction.objects.get(partner_transaction_id="VNPT-B").amount == 100_000


@pytest.mark.parametrize("screen", ["desktop"])
def test_the_desk_names_each_verdict_and_links_it_to_the_log(session, operator, lan, night):
    session.login(operator.username)
    page = session.page
    vnpt_row = page.get_by_role("row").filter(has_text="VNPT")
    expect(vnpt_row.get_by_role("link", name="Đã ghi nhận: 3")).to_be_visible()
    for raw in ("accepted", "rejected", "duplicate"):
        expect(page.locator("main")).not_to_contain_text(f"{raw}:")

    vnpt_row.get_by_role("link", name="Bị từ chối: 1").click()
    expect(page.get_by_role("heading", name="Nhật ký nhận webhook")).to_be_visible()
    assert "verdict=rejected" in page.url and "partner=vnpt" in page.url
    expect(page.get_by_label("Kết quả")).to_have_value("rejected")
    expect(page.get_by_text("Chỉ các lần nhận trong 24 giờ qua.")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bị từ chối")
    session.screenshot("operator-desk-verdict-log")


@pytest.mark.parametrize("screen", ["desktop"])
def test_a_conflict_alert_reads_in_one_time_zone(session, operator, lan, client):
    """The stored side comes back from the database in UTC, the delivered one
    in +07:00: a 38-second difference must not read as seven hours."""
    assert post(client, "vnpt", *vnpt(vnpt_body("VNPT-TZ"), msg_id="tz-1")).status_code == 200
    later = vnpt_body("VNPT-TZ", amount=450_000, completed_at="2026-11-20T01:16:07+00:00")
    assert post(client, "vnpt", *vnpt(later, msg_id="tz-2")).status_code == 200

    session.login(operator.username)
    page = session.go("/webhooks/deliveries/")
    alert = page.locator("section.card", has_text="Cảnh báo")
    expect(alert).to_contain_text("Thời điểm giao dịch: 20/11/2026 08:15:29 → 20/11/2026 08:16:07")
    expect(alert).to_contain_text("Số tiền (đồng): 45.000 ₫ → 450.000 ₫")
    expect(alert).not_to_contain_text("+00:00")
    expect(alert).not_to_contain_text("completed_at")
    expect(page.locator("tbody")).to_contain_text("nội dung khác: số tiền (đồng), thời điểm giao dịch")
    session.screenshot("conflict-alert")


@pytest.fixture
def long_queue(client, lan):
    """Fifty-two payments to accounts nobody holds: two pages of the queue."""
    for n in range(52):
        body = vnpt_body(f"VNPT-Q{n:02d}", account=f"09000000{n:02d}", amount=10_000 + n, reference=None)
        assert post(client, "vnpt", *vnpt(body, msg_id=f"q-{n}")).status_code == 200


@pytest.mark.parametrize("screen", ["desktop"])
def test_attributing_by_stall_or_by_name_keeps_the_page_and_the_input(session, operator, lan, long_queue):
    session.login(operator.username)
    page = session.go("/transactions/unattributed/?page=2")
    expect(page.get_by_text("Trang 2/2")).to_be_visible()
    row = page.locator("tbody tr").first
    txn_id = row.locator("code").first.inner_text()

    # A stall that has no vendor: the same page again, the reason beside the
    # field under its label, what was typed still there.
    row.get_by_label("Chợ").fill(lan.market.code)
    row.get_by_label("Số sạp").fill("Z-999")
    row.get_by_label("Ghi chú").fill("Khách báo chuyển cho cô Lan")
    row.get_by_role("button", name="Gán").click()
    expect(page.get_by_text("Trang 2/2")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Số sạp: Chợ NK01 không có tiểu thương nào ở sạp Z-999")
    expect(page.locator("main")).not_to_contain_text("stall:")
    row = page.locator("tbody tr", has_text=txn_id)
    expect(row.get_by_label("Số sạp")).to_have_value("Z-999")
    expect(row.get_by_label("Số sạp")).to_have_attribute("aria-invalid", "true")
    expect(row.get_by_label("Ghi chú")).to_have_value("Khách báo chuyển cho cô Lan")
    session.screenshot("unattributed-error")

    # Dismissing without a reason names the note by its label.
    row.get_by_label("Ghi chú").fill("")
    row.get_by_role("button", name="Đóng (không thuộc tiểu thương nào)").click()
    expect(page.get_by_role("alert")).to_contain_text("Ghi chú: Vui lòng ghi lý do")
    expect(page.locator("main")).not_to_contain_text("note:")

    # The search box suggests the vendor by name; its suggestion fills the code.
    row = page.locator("tbody tr", has_text=txn_id)
    search = row.get_by_label("Hoặc tìm tiểu thương (tên, mã)")
    search.press_sequentially("lan")
    suggestion = row.locator("datalist option").first
    expect(suggestion).to_have_attribute("value", lan.code)
    assert "A-012" in suggestion.get_attribute("label")
    search.fill(lan.code)
    row.get_by_role("button", name="Gán").click()
    expect(page.locator(".messages")).to_contain_text(f"Đã gán giao dịch {txn_id}")
    assert "page=2" in page.url
    assert Transaction.objects.get(partner_transaction_id=txn_id).vendor == lan
