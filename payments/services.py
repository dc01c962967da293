"""Writes people make on payments: resolve the unattributed queue, replay a
delivery. One function per action, one transaction, audit row inside."""

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit, clock
from core.access import require_operator
from core.errors import Conflict, ValidationFailed
from merchants.models import Vendor, WalletAccount
from payments import intake, outbox
from payments.models import Attribution, Transaction, WebhookDelivery


def _snapshot(txn: Transaction) -> dict:
    return {
        "attribution": txn.attribution,
        "vendor": txn.vendor.code if txn.vendor_id else None,
        "wallet_account": txn.wallet_account_id,
        "market": txn.market_id,
    }


def _claim_unattributed(txn: Transaction, **changes) -> None:
    """Change the transaction only if it is still in the queue: two operators
    resolving the same one at once cannot both win."""
    updated = Transaction.objects.filter(pk=txn.pk, attribution=Attribution.UNATTRIBUTED).update(**changes)
    if not updated:
        raise Conflict(_("Giao dịch này đã được xử lý, vui lòng tải lại trang"))
    for name, value in changes.items():
        setattr(txn, name, value)


def transaction_attribute(*, actor, txn: Transaction, vendor: Vendor, note: str = "") -> Transaction:
    """An operator credits an unattributed transaction to a vendor."""
    require_operator(actor)
    if txn.attribution != Attribution.UNATTRIBUTED:
        raise ValidationFailed.single("transaction", _("Giao dịch không nằm trong hàng chờ gán tiểu thương"))
    before = _snapshot(txn)
    account_id = (
        WalletAccount.objects.filter(vendor=vendor, partner=txn.partner, is_active=True)
        .values_list("pk", flat=True)
        .first()
    )
    with transaction.atomic():
        _claim_unattributed(
            txn,
            attribution=Attribution.RESOLVED,
            vendor=vendor,
            market_id=vendor.market_id,
            wallet_account_id=account_id,
        )
        audit.record(
            actor=actor,
            action="transaction.attribute",
            obj=txn,
            before=before,
            after=_snapshot(txn),
            market=vendor.market,
            note=note.strip(),
        )
        outbox.enqueue(kind=outbox.TRANSACTION_CHANGED, transaction_id=txn.pk)
    return txn


def transaction_dismiss(*, actor, txn: Transaction, note: str) -> Transaction:
    """An operator confirms a transaction belongs to no vendor of ours."""
    require_operator(actor)
    note = " ".join((note or "").split())
    if not note:
        raise ValidationFailed.single("note", _("Vui lòng ghi lý do"))
    if txn.attribution != Attribution.UNATTRIBUTED:
        raise ValidationFailed.single("transaction", _("Giao dịch không nằm trong hàng chờ gán tiểu thương"))
    before = _snapshot(txn)
    with transaction.atomic():
        _claim_unattributed(txn, attribution=Attribution.DISMISSED)
        audit.record(actor=actor, action="transaction.dismiss", obj=txn, before=before, after=_snapshot(txn), note=note)
    return txn


def delivery_replay(*, actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Run a stored delivery through intake again, as of when it arrived.

    Useful after a fix (a missing secret, a parser change): the new verdict
    is a new log row pointing at the original; the original is unchanged.
    """
    require_operator(actor)
    if delivery.body_size and not delivery.body:
        raise ValidationFailed.single("delivery", _("Lần nhận này quá lớn nên không lưu nội dung, không thể chạy lại"))
    with transaction.atomic():
        result = intake.receive_delivery(
            partner=delivery.partner,
            headers=delivery.headers,
            body=bytes(delivery.body),
            replay_of=delivery,
            actor=actor,
        )
        audit.record(
            actor=actor,
            action="webhook_delivery.replay",
            obj=delivery,
            before=None,
            after={"replay": result.delivery.pk, "verdict": result.delivery.verdict, "at": clock.now().isoformat()},
        )
    return result.delivery
