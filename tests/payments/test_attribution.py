"""Transactions go to the vendor holding the account, confirmed by the payment
reference; the rest wait in a queue that operators resolve, audited."""

import pytest
from django.conf import settings

from core.models import AuditEntry
from payments import attribution
from payments.models import Transaction
from tests.payments.kit import mobifone, mobifone_body, post, viettel, viettel_fields, vnpt, vnpt_body

pytestmark = pytest.mark.django_db


def test_account_and_matching_reference_attribute_to_the_vendor(client, lan):
    post(client, "vnpt", *vnpt(vnpt_body()))

    txn = Transaction.objects.get()
    assert (txn.vendor, txn.market, txn.wallet_account.account_number) == (lan, lan.market, "0912345678")
    assert txn.attribution == "matched"


def test_no_reference_attributes_by_account_alone(client, lan):
    post(client, "viettel", *viettel(viettel_fields(ref="")))

    assert Transaction.objects.get().vendor == lan


def test_mobifone_reference_is_the_first_word_of_the_remark(client, lan, hoa):
    post(client, "mobifone", *mobifone(mobifone_body(remark="C4HH8N3R4PB mua ca")))

    txn = Transaction.objects.get()
    assert txn.reference == "C4HH8N3R4PB"
    assert (txn.vendor, txn.attribution) == (None, "unattributed")


def test_mobifone_remark_without_a_reference_attributes_by_account(client, lan):
    post(client, "mobifone", *mobifone(mobifone_body(remark="Thanh toan tien ca")))

    txn = Transaction.objects.get()
    assert (txn.reference, txn.vendor) == ("", lan)


def test_unknown_account_goes_to_the_unattributed_queue(client, lan):
    post(client, "vnpt", *vnpt(vnpt_body(account="0999999999")))

    txn = Transaction.objects.get()
    assert (txn.vendor, txn.attribution) == (None, "unattributed")
    assert "0999999999" in txn.attribution_reason


def test_the_reason_is_written_in_the_language_then_active(client, lan):
    """The reasons are looked up once per language, so a second language
    must not get the first one's words."""
    post(client, "vnpt", *vnpt(vnpt_body("VNPT-VI", account="0999999999")))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    post(client, "vnpt", *vnpt(vnpt_body("VNPT-EN", account="0999999999")))

    assert dict(Transaction.objects.values_list("partner_transaction_id", "attribution_reason")) == {
        "VNPT-VI": "Không có tài khoản ví đang dùng nào khớp số tài khoản nhận 0999999999",
        "VNPT-EN": "No active wallet account matches the receiving account number 0999999999",
    }


def test_reference_of_another_vendor_goes_to_the_queue(client, lan, hoa):
    post(client, "vnpt", *vnpt(vnpt_body(reference=hoa.payment_reference)))

    txn = Transaction.objects.get()
    assert (txn.vendor, txn.attribution) == (None, "unattributed")
    assert hoa.payment_reference in txn.attribution_reason


def test_inactive_account_does_not_attribute(client, lan):
    lan.wallet_accounts.filter(partner="vnpt").update(is_active=False)

    post(client, "vnpt", *vnpt(vnpt_body()))

    assert Transaction.objects.get().attribution == "unattributed"


def test_transactions_learnt_in_bulk_are_attributed_as_intake_attributes_them(client, lan, hoa):
    """Settlement lines no webhook told of go through `match_many`, the same
    rule over many pairs at once: each pair ends as a delivery of it does."""
    lan.wallet_accounts.filter(partner="viettel").update(is_active=False)
    cases = [
        ("vnpt", "0912345678", "c4vk 7m2q9xa"),  # the holder's reference, spaced and in lower case
        ("vnpt", "0912345678", ""),  # no reference: the account decides
        ("vnpt", "0912345678", hoa.payment_reference),  # another vendor's reference
        ("vnpt", "0999999999", lan.payment_reference),  # nobody holds the account
        ("vnpt", "0911111111", hoa.payment_reference),
        ("viettel", "0987654321", ""),  # the holder's account is no longer active
    ]
    for number, (partner, account, reference) in enumerate(cases):
        if partner == "vnpt":
            post(client, "vnpt", *vnpt(vnpt_body(f"VNPT-{number}", account=account, reference=reference or None)))
        else:
            post(
                client,
                "viettel",
                *viettel(viettel_fields(f"VT2611200815301234{number}", account=account, ref=reference)),
            )
    by_intake = [
        attribution.Match(t.attribution, t.attribution_reason, t.wallet_account_id, t.vendor_id, t.market_id)
        for t in Transaction.objects.order_by("id")
    ]

    in_bulk = [
        attribution.match_many(partner=partner, pairs=[(account, reference)])[0]
        for partner, account, reference in cases
    ]
    vnpt_pairs = [(account, reference) for partner, account, reference in cases if partner == "vnpt"]

    assert [m.state for m in by_intake] == [
        "matched",
        "matched",
        "unattributed",
        "unattributed",
        "matched",
        "unattributed",
    ]
    assert in_bulk == by_intake
    assert attribution.match_many(partner="vnpt", pairs=vnpt_pairs) == by_intake[:5]
    assert attribution.match_many(partner="vnpt", pairs=[]) == []


@pytest.fixture
def stray(client, lan) -> Transaction:
    post(client, "vnpt", *vnpt(vnpt_body(account="0999999999")))
    return Transaction.objects.get()


def test_operator_sees_the_queue_and_attributes_with_an_audit_row(api_for, operator, stray, hoa):
    api = api_for(operator)
    queue = api.get("/api/v1/transactions/unattributed").json()["items"]
    assert [item["id"] for item in queue] == [stray.pk]

    response = api.post(f"/api/v1/transactions/{stray.pk}/attribute", {"vendor": hoa.code, "note": "Khách xác nhận"})

    assert response.status_code == 200, response.content
    assert (response.json()["vendor"], response.json()["attribution"]) == (hoa.code, "resolved")
    stray.refresh_from_db()
    assert (stray.vendor, stray.market, stray.wallet_account.vendor) == (hoa, hoa.market, hoa)
    entry = AuditEntry.objects.get(action="transaction.attribute")
    assert (entry.actor, entry.after["vendor"], entry.before["vendor"], entry.note) == (
        operator,
        hoa.code,
        None,
        "Khách xác nhận",
    )
    assert api.get("/api/v1/transactions/unattributed").json()["items"] == []


def test_resolving_twice_is_refused(api_for, operator, stray, hoa, lan):
    api = api_for(operator)
    api.post(f"/api/v1/transactions/{stray.pk}/attribute", {"vendor": hoa.code})

    response = api.post(f"/api/v1/transactions/{stray.pk}/attribute", {"vendor": lan.code})

    assert response.status_code == 422
    assert "transaction" in response.json()["errors"]
    stray.refresh_from_db()
    assert stray.vendor == hoa


def test_operator_dismisses_with_a_reason(api_for, operator, stray):
    api = api_for(operator)

    assert api.post(f"/api/v1/transactions/{stray.pk}/dismiss", {"note": " "}).json()["errors"] == {
        "note": ["Vui lòng ghi lý do"]
    }
    response = api.post(f"/api/v1/transactions/{stray.pk}/dismiss", {"note": "Giao dịch thử của ví"})

    assert response.json()["attribution"] == "dismissed"
    assert AuditEntry.objects.filter(action="transaction.dismiss", actor=operator).exists()


def test_boards_cannot_resolve_the_queue(api_for, board_a, stray, lan):
    api = api_for(board_a)

    assert api.get("/api/v1/transactions/unattributed").status_code == 403
    assert api.post(f"/api/v1/transactions/{stray.pk}/attribute", {"vendor": lan.code}).status_code == 403
    stray.refresh_from_db()
    assert stray.vendor is None


def test_a_refusal_names_the_field_by_its_label_not_its_key(api_for, operator, stray):
    body = api_for(operator).post(f"/api/v1/transactions/{stray.pk}/dismiss", {"note": " "}).json()

    assert body["detail"] == "Ghi chú: Vui lòng ghi lý do"
    assert body["errors"] == {"note": ["Vui lòng ghi lý do"]}


def test_the_label_follows_the_language_chosen(api_for, operator, stray):
    api = api_for(operator)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    body = api.post(f"/api/v1/transactions/{stray.pk}/dismiss", {"note": " "}).json()

    assert body["detail"].startswith("Note: ")
