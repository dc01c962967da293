"""Writes on payments: people resolve the unattributed queue and replay a
delivery (one function per action, one transaction, audit row inside), and
reconciliation records the transactions a settlement file taught it.
"""

from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core import audit, clock
from core.access import require_operator
from core.actors import Actor
from core.errors import Conflict, ValidationFailed
from core.formatting import format_date
from merchants.models import Vendor, WalletAccount
from payments import attribution, intake, outbox
from payments.models import Attribution, Source, Status, Transaction, WebhookDelivery
from payments.partners import Notice


def _snapshot(txn: Transaction) -> dict:
    return {
        "attribution": txn.attribution,
        "vendor": txn.vendor.code if txn.vendor else None,
        "wallet_account": txn.wallet_account_id,
        "market": txn.market_id,
    }


def _claim_unattributed(txn: Transaction, **changes: Any) -> None:
    """Change the transaction only if it is still in the queue: two operators
    resolving the same one at once cannot both win."""
    updated = Transaction.objects.filter(pk=txn.pk, attribution=Attribution.UNATTRIBUTED).update(**changes)
    if not updated:
        raise Conflict(_("Giao dịch này đã được xử lý, vui lòng tải lại trang"))
    for name, value in changes.items():
        setattr(txn, name, value)


def transaction_attribute(*, actor: Actor, txn: Transaction, vendor: Vendor, note: str = "") -> Transaction:
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


def transaction_dismiss(*, actor: Actor, txn: Transaction, note: str) -> Transaction:
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


# What a partner's settlement may correct on a recorded transaction.
SETTLED_FIELDS = ("amount", "status")


def transaction_settled_value_apply(
    *, actor: Actor, txn: Transaction, field: str, value: Any, note: str
) -> Transaction:
    """Adopt the partner's settled amount or status on a transaction: the
    settlement is the authority. The outbox event makes the rollups follow."""
    require_operator(actor)
    if field not in SETTLED_FIELDS:
        raise ValidationFailed.single(field, _("Chỉ áp dụng được số tiền hoặc trạng thái theo tệp của ví"))
    if field == "amount" and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
        raise ValidationFailed.single("amount", _("Số tiền theo tệp của ví không hợp lệ"))
    if field == "status" and value not in Status.values:
        raise ValidationFailed.single("status", _("Trạng thái theo tệp của ví không hợp lệ"))
    with transaction.atomic():
        locked = Transaction.objects.select_for_update().get(pk=txn.pk)
        before = getattr(locked, field)
        if before == value:
            raise Conflict(_("Giao dịch đã có giá trị này, vui lòng tải lại trang"))
        changes: dict[str, Any] = {field: value}
        if field == "status":
            changes["status_updated_at"] = clock.now()
        Transaction.objects.filter(pk=txn.pk).update(**changes)
        for name, changed in changes.items():
            setattr(txn, name, changed)
        audit.record(
            actor=actor,
            action="transaction.settled_value_apply",
            obj=txn,
            before={field: before},
            after={field: value},
            market=txn.market,
            note=note,
        )
        outbox.enqueue(kind=outbox.TRANSACTION_CHANGED, transaction_id=txn.pk)
    return txn


def delivery_replay(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Run a stored delivery through intake again, as of when it arrived.

    Useful after a fix (a missing secret, a parser change): the new verdict
    is a new log row pointing at the original; the original is unchanged.
    """
    require_operator(actor)
    if delivery.redacted_at is not None:
        raise ValidationFailed.single(
            "delivery",
            _(
                "Nội dung lần nhận này đã được xoá dữ liệu cá nhân ngày %(day)s theo thời hạn lưu giữ, "
                "nên không còn khớp chữ ký và không thể chạy lại"
            )
            % {"day": format_date(delivery.redacted_at)},
        )
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


def _learnt_notice(side: dict[str, Any], txn_id: str, description: str) -> Notice:
    when = side["completed_at"]
    if isinstance(when, str):
        when = parse_datetime(when)
    return Notice(
        partner_transaction_id=txn_id,
        kind=side["kind"],
        status=side["status"],
        amount=side["amount"],
        completed_at=when,
        credit_account=side["account"],
        reference=side["reference"],
        description=description[:200],
        original_partner_transaction_id=side["original_txn_id"],
    )


def transactions_learn(*, partner: str, lines: list[tuple[str, dict, str]]) -> dict[str, Transaction]:
    """Record the transactions a settlement file names and no webhook told us
    about, from (partner txn id, file side, description): marked
    `source=settlement`, attributed and followed up as intake does it.

    Called inside reconciliation's run, in its database transaction and under
    its audit row, so a run killed halfway leaves none of them behind.
    """
    now = clock.now()
    notices = [_learnt_notice(side, txn_id, description) for txn_id, side, description in lines]
    # One attribution query for all of them, by the same rules as intake.
    matches = attribution.match_many(partner=partner, pairs=[(n.credit_account, n.reference) for n in notices])
    created = [
        Transaction.from_notice(
            partner=partner, notice=notice, created_at=now, source=Source.SETTLEMENT, **match.as_fields()
        )
        for notice, match in zip(notices, matches, strict=True)
    ]
    Transaction.objects.bulk_create(created, batch_size=2_000)
    outbox.enqueue_many(kind=outbox.TRANSACTION_CHANGED, transaction_ids=[txn.pk for txn in created])
    return {txn.partner_transaction_id: txn for txn in created}
