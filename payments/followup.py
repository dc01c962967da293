"""What happens after a transaction is recorded or changes status."""

from payments import outbox, signals
from payments.models import Kind, OutboxEvent, Transaction


@outbox.handler(outbox.TRANSACTION_CHANGED)
def transaction_changed(event: OutboxEvent) -> None:
    txn = Transaction.objects.get(pk=event.transaction_id)
    link_refunds(txn)
    signals.transaction_changed.send(sender=Transaction, transaction=txn)


def link_refunds(txn: Transaction) -> int:
    """Link held refunds to their payment. Runs after commit from either
    side, so a refund and its payment racing in parallel still meet."""
    if txn.kind == Kind.PAYMENT:
        return Transaction.objects.filter(
            partner=txn.partner,
            kind=Kind.REFUND,
            original_partner_transaction_id=txn.partner_transaction_id,
            original__isnull=True,
        ).update(original=txn)
    if txn.original_id is not None:
        return 0
    payment = Transaction.objects.filter(
        partner=txn.partner, partner_transaction_id=txn.original_partner_transaction_id, kind=Kind.PAYMENT
    ).first()
    if payment is None:
        return 0
    return Transaction.objects.filter(pk=txn.pk, original__isnull=True).update(original=payment)
