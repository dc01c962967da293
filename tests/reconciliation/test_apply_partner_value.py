"""Resolving an amount or status difference by adopting the partner's value:
the transaction changes through payments (audited, outbox event), the
adoption rollups follow, and every other kind keeps a note-only resolution."""

import pytest
from django.test import Client

from adoption.models import MarketPartnerDay
from core.errors import ValidationFailed
from core.models import AuditEntry
from payments import outbox
from payments.models import Transaction
from reconciliation import services
from reconciliation.models import ExceptionStatus, ReconciliationException
from tests.reconciliation.kit import DAY, at, record, vnpt_file, vnpt_line

pytestmark = pytest.mark.django_db


def _night(partner: str, content: bytes, name: str) -> None:
    services.settlement_file_import(actor=None, file_name=name, content=content, channel="command")
    services.reconciliation_run(actor=None, partner=partner, business_date=DAY)


def _vnpt_night(lan, *lines: str) -> None:
    _night("vnpt", vnpt_file(*lines), f"VNPT_SETTLEMENT_{DAY:%Y%m%d}.csv")


def _mobifone_reversed(lan) -> None:
    record("mobifone", "MBF-1", 30000, at(DAY, 9), vendor=lan)
    content = (
        "H|MOBIFONE MONEY|20261120|CT4VMBF\n"
        f"D|MBF-1|REVERSED|20261120090000|0901234567|30000|0|{lan.payment_reference} Thanh toan\n"
        "T|1|0\n"
    ).encode()
    _night("mobifone", content, "MBF_20261120.txt")


def _payments(market, partner: str) -> tuple | None:
    outbox.drain()
    row = MarketPartnerDay.objects.filter(market=market, partner=partner, day=DAY).first()
    return (row.payments_count, row.payments_amount) if row else None


def test_applying_the_partners_amount_changes_the_transaction_audit_and_rollups(operator, lan, frozen_now):
    record("vnpt", "V-A", 30000, at(DAY, 9), vendor=lan)
    _vnpt_night(lan, vnpt_line("V-A", 31000, at(DAY, 9)))
    assert _payments(lan.market, "vnpt") == (1, 30000)
    exception = ReconciliationException.objects.get(kind="amount_differs")

    services.exception_resolve(actor=operator, exception=exception, note="VNPT xác nhận 31.000", apply_partner_value=True)

    txn = Transaction.objects.get(partner_transaction_id="V-A")
    assert txn.amount == 31000
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.RESOLVED and exception.resolution_note == "VNPT xác nhận 31.000"
    change = AuditEntry.objects.get(action="transaction.settled_value_apply", object_id=str(txn.pk))
    assert (change.before, change.after, change.note) == ({"amount": 30000}, {"amount": 31000}, "VNPT xác nhận 31.000")
    resolved = AuditEntry.objects.get(action="reconciliation_exception.resolve", object_id=str(exception.pk))
    assert resolved.after["applied"] == {"amount": {"before": 30000, "after": 31000}}
    assert _payments(lan.market, "vnpt") == (1, 31000)


def test_applying_the_partners_status_takes_a_reversal_out_of_the_rollups(operator, lan, frozen_now):
    _mobifone_reversed(lan)
    assert _payments(lan.market, "mobifone") == (1, 30000)
    exception = ReconciliationException.objects.get(kind="status_differs")

    services.exception_resolve(actor=operator, exception=exception, note="Ví đã đảo", apply_partner_value=True)

    txn = Transaction.objects.get(partner_transaction_id="MBF-1")
    assert txn.status == "reversed" and txn.status_updated_at is not None
    assert AuditEntry.objects.get(action="transaction.settled_value_apply").after == {"status": "reversed"}
    assert _payments(lan.market, "mobifone") == (0, 0)


def test_applying_is_refused_for_other_kinds_and_changes_nothing(operator, lan, frozen_now):
    record("vnpt", "V-DUP", 15000, at(DAY, 11), vendor=lan)
    record("vnpt", "V-KIND", 20000, at(DAY, 10), vendor=lan)
    _vnpt_night(
        lan,
        vnpt_line("V-DUP", 15000, at(DAY, 11)),
        vnpt_line("V-DUP", 15000, at(DAY, 11)),
        vnpt_line("V-KIND", 20000, at(DAY, 10), kind="REFUND", original="V-KIND"),
    )
    duplicate = ReconciliationException.objects.get(kind="duplicate_line")
    with pytest.raises(ValidationFailed) as refused:
        services.exception_resolve(actor=operator, exception=duplicate, note="Xong", apply_partner_value=True)
    message = refused.value.errors["apply_partner_value"][0]
    assert "Dòng lặp trong tệp" in message and "số tiền hoặc trạng thái" in message
    # Only the kind differs here: the kind is never adopted.
    kind_only = ReconciliationException.objects.get(kind="status_differs")
    with pytest.raises(ValidationFailed):
        services.exception_resolve(actor=operator, exception=kind_only, note="Xong", apply_partner_value=True)
    assert ReconciliationException.objects.filter(status=ExceptionStatus.OPEN).count() == 2
    assert not AuditEntry.objects.filter(action__startswith="reconciliation_exception").exists()

    services.exception_resolve(actor=operator, exception=duplicate, note="Ví gửi trùng dòng")
    duplicate.refresh_from_db()
    assert duplicate.status == ExceptionStatus.RESOLVED and duplicate.resolution_note == "Ví gửi trùng dòng"


def test_a_note_only_resolution_leaves_the_transaction_alone(operator, lan, frozen_now):
    record("vnpt", "V-A", 30000, at(DAY, 9), vendor=lan)
    _vnpt_night(lan, vnpt_line("V-A", 31000, at(DAY, 9)))
    exception = ReconciliationException.objects.get()
    services.exception_resolve(actor=operator, exception=exception, note="Giữ số tiền đã ghi nhận")
    assert Transaction.objects.get(partner_transaction_id="V-A").amount == 30000
    assert not AuditEntry.objects.filter(action="transaction.settled_value_apply").exists()


def test_api_applies_the_partners_amount_and_refuses_other_kinds(api_for, operator, lan, frozen_now):
    record("vnpt", "V-A", 30000, at(DAY, 9), vendor=lan)
    record("vnpt", "V-DUP", 15000, at(DAY, 11), vendor=lan)
    _vnpt_night(
        lan,
        vnpt_line("V-A", 31000, at(DAY, 9)),
        vnpt_line("V-DUP", 15000, at(DAY, 11)),
        vnpt_line("V-DUP", 15000, at(DAY, 11)),
    )
    api = api_for(operator)
    amount = ReconciliationException.objects.get(kind="amount_differs")
    duplicate = ReconciliationException.objects.get(kind="duplicate_line")

    refused = api.post(
        f"/api/v1/reconciliation/exceptions/{duplicate.pk}/resolve", {"note": "x", "apply_partner_value": True}
    )
    assert refused.status_code == 422 and "apply_partner_value" in refused.json()["errors"]
    done = api.post(
        f"/api/v1/reconciliation/exceptions/{amount.pk}/resolve", {"note": "Theo VNPT", "apply_partner_value": True}
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "resolved"
    assert Transaction.objects.get(partner_transaction_id="V-A").amount == 31000
    assert _payments(lan.market, "vnpt") == (2, 46000)


def test_page_offers_the_choice_only_where_it_applies_and_applies_it(operator, lan, frozen_now):
    _mobifone_reversed(lan)
    record("vnpt", "V-DUP", 15000, at(DAY, 11), vendor=lan)
    _vnpt_night(lan, vnpt_line("V-DUP", 15000, at(DAY, 11)), vnpt_line("V-DUP", 15000, at(DAY, 11)))
    client = Client()
    client.force_login(operator)
    page = client.get("/reconciliation/exceptions/").content.decode()
    assert page.count('value="apply"') == 1 and "Áp dụng trạng thái theo tệp của ví" in page

    status = ReconciliationException.objects.get(kind="status_differs")
    duplicate = ReconciliationException.objects.get(kind="duplicate_line")
    refused = client.post(
        f"/reconciliation/exceptions/{duplicate.pk}/resolve/", {"note": "x", "resolution": "apply"}, follow=True
    )
    assert "chỉ dùng cho chênh lệch số tiền hoặc trạng thái" in refused.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.status == ExceptionStatus.OPEN

    client.post(f"/reconciliation/exceptions/{status.pk}/resolve/", {"note": "Ví đã đảo", "resolution": "apply"})
    assert Transaction.objects.get(partner_transaction_id="MBF-1").status == "reversed"
    status.refresh_from_db()
    assert status.status == ExceptionStatus.RESOLVED
    assert _payments(lan.market, "mobifone") == (0, 0)
