"""Operator and board pages of payments."""

import pytest
from django.test import Client

from core.models import AuditEntry
from payments.models import Transaction, WebhookDelivery
from tests.payments.kit import post, vnpt, vnpt_body

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def traffic(client, lan, hoa):
    post(client, "vnpt", *vnpt(vnpt_body()))
    post(client, "vnpt", *vnpt(vnpt_body("VNPT-H", account="0911111111", reference=None, amount=1250000), msg_id="m2"))
    post(client, "vnpt", *vnpt(vnpt_body("VNPT-STRAY", account="0999999999"), msg_id="m3"))


def test_board_page_shows_its_market_takings_only(board_a, traffic):
    page = logged_in(board_a).get("/transactions/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "VNPT2611200000123" in text
    assert "45.000 ₫" in text
    assert "VNPT-H" not in text and "1.250.000 ₫" not in text
    assert "VNPT-STRAY" not in text


def test_board_filtering_on_another_market_is_404(board_a, traffic):
    assert logged_in(board_a).get("/transactions/", {"market": "NK02"}).status_code == 404


def test_bad_date_filter_is_explained(board_a, traffic):
    page = logged_in(board_a).get("/transactions/", {"date_from": "32/13/2026"})

    assert page.status_code == 200
    assert "Ngày không hợp lệ, cần dạng dd/mm/yyyy" in page.content.decode()


def test_operator_pages_are_hidden_from_boards(board_a, traffic):
    client = logged_in(board_a)

    assert client.get("/webhooks/deliveries/").status_code == 404
    assert client.get("/transactions/unattributed/").status_code == 404
    delivery = WebhookDelivery.objects.first()
    assert client.post(f"/webhooks/deliveries/{delivery.pk}/replay/").status_code == 404


def test_operator_replays_from_the_log(operator, traffic):
    client = logged_in(operator)
    delivery = WebhookDelivery.objects.order_by("id").first()
    assert "VNPT-STRAY" in client.get("/webhooks/deliveries/").content.decode()

    response = client.post(f"/webhooks/deliveries/{delivery.pk}/replay/", follow=True)

    assert "Trùng lặp" in response.content.decode()
    assert WebhookDelivery.objects.filter(replay_of=delivery).count() == 1


def test_operator_resolves_the_queue_from_the_page(operator, traffic, hoa):
    client = logged_in(operator)
    stray = Transaction.objects.get(partner_transaction_id="VNPT-STRAY")
    assert "0999999999" in client.get("/transactions/unattributed/").content.decode()

    unknown = client.post(
        f"/transactions/{stray.pk}/resolve/", {"vendor": "TTNOPE", "action": "attribute"}, follow=True
    )
    assert "Tiểu thương: Không tìm thấy tiểu thương nào khớp “TTNOPE”" in unknown.content.decode()

    client.post(f"/transactions/{stray.pk}/resolve/", {"vendor": hoa.code.lower(), "action": "attribute"})

    stray.refresh_from_db()
    assert stray.vendor == hoa
    assert AuditEntry.objects.filter(action="transaction.attribute", actor=operator).count() == 1
    assert "0999999999" not in client.get("/transactions/unattributed/").content.decode()


def test_the_search_box_suggests_open_vendors_without_personal_data(operator, traffic, hoa, lan):
    client = logged_in(operator)

    assert len(client.get("/transactions/unattributed/vendors/", {"q": "lan"}).json()["items"]) == 2
    items = client.get("/transactions/unattributed/vendors/", {"q": "a-012"}).json()["items"]

    assert [item["code"] for item in items] == [lan.code]
    assert "A-012" in items[0]["label"] and lan.market.name in items[0]["label"]
    assert lan.phone not in str(items)
    assert client.get("/transactions/unattributed/vendors/", {"q": "l"}).json() == {"items": []}


def test_the_search_box_is_for_operators_only(board_a, traffic):
    assert logged_in(board_a).get("/transactions/unattributed/vendors/", {"q": "lan"}).status_code == 404


def test_a_stall_of_the_market_attributes_the_payment(operator, traffic, hoa):
    client = logged_in(operator)
    stray = Transaction.objects.get(partner_transaction_id="VNPT-STRAY")

    client.post(
        f"/transactions/{stray.pk}/resolve/",
        {"market": hoa.market.code, "stall": hoa.stall_number.lower(), "action": "attribute"},
    )

    stray.refresh_from_db()
    assert stray.vendor == hoa


def test_the_vendor_filter_shows_only_that_vendors_transactions(operator, traffic, lan, hoa):
    client = logged_in(operator)

    text = client.get("/transactions/", {"vendor": lan.code}).content.decode()

    assert "VNPT2611200000123" in text
    assert "VNPT-H" not in text and "VNPT-STRAY" not in text
    assert f"Chỉ giao dịch của {lan.display_name}, sạp A-012" in text
    assert f'<input type="hidden" name="vendor" value="{lan.code}">' in text  # the other filters keep it
    other = client.get("/transactions/", {"vendor": hoa.code}).content.decode()
    assert "VNPT-H" in other and "VNPT2611200000123" not in other


def test_a_board_filtering_on_another_markets_vendor_is_404(board_a, traffic, hoa):
    assert logged_in(board_a).get("/transactions/", {"vendor": hoa.code}).status_code == 404


def test_the_vendor_page_links_its_transactions_and_history(board_a, traffic, lan):
    text = logged_in(board_a).get(f"/vendors/{lan.code}/").content.decode()

    assert f'href="/transactions/?vendor={lan.code}"' in text
    assert 'href="#lich-su"' in text and 'id="lich-su"' in text
