"""The transactions list on a phone: each row reads as a card with its amount and status in view."""

import pytest
from playwright.sync_api import expect

from tests.payments.kit import lan, partner_secrets, post, vnpt, vnpt_body  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("screen", ["phone"])
def test_on_a_phone_each_transaction_shows_its_amount_and_status(session, operator, client, lan):
    headers, raw = vnpt(vnpt_body("VNPT-1", amount=1_205_000), msg_id="VNPT-1")
    assert post(client, "vnpt", headers, raw).status_code == 200
    session.login(operator.username)
    page = session.go("/transactions/")
    width = page.evaluate("window.innerWidth")
    row = page.locator("table tbody tr").first
    assert not row.get_by_text("VNPT-1").is_visible()  # the partner code stays a desk-only column
    for cell, text in [(row.locator("td.amount"), "1.205.000 ₫"), (row.locator("td.status"), "Thành công")]:
        expect(cell).to_be_visible()
        expect(cell).to_contain_text(text)
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (text, box, width)
    session.screenshot("transactions")
