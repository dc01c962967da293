"""Transactions learnt from a settlement file: a line no webhook told us about.

The transaction is recorded the way intake records a webhook — the payments
adapter's `Notice`, the payments attribution (`payments.attribution.match_many`),
the payments outbox for follow-up work (refund linking, rollups) — marked
`source=settlement`. payments/services.py has no public "record from
settlement" action yet; this module is the narrow adapter until it does, and
it is the only place reconciliation writes a transaction.
"""

from django.utils.dateparse import parse_datetime

from core import clock
from payments import attribution, outbox
from payments.models import Source, Transaction
from payments.partners import Notice


def _notice(side: dict, txn_id: str, description: str) -> Notice:
    when = parse_datetime(side["completed_at"]) if isinstance(side["completed_at"], str) else side["completed_at"]
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


def record_learnt(*, partner: str, lines: list[tuple[str, dict, str]]) -> dict[str, Transaction]:
    """Create the transactions for (partner txn id, file side, description).

    Called inside the run's database transaction, so a run killed halfway
    leaves none of them behind.
    """
    now = clock.now()
    notices = [_notice(side, txn_id, description) for txn_id, side, description in lines]
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
