"""Closing exceptions that a later webhook resolves.

payments sends `transaction_changed` (after commit, from its outbox) when a
webhook records a transaction or changes its status. If an open exception is
about that transaction, its run is done again; the rerun closes what no
longer differs, saying so. Files resolve exceptions the same way: importing
a newer file reruns its day.
"""

import functools
from typing import Any

from django.db import transaction as db_transaction

from payments.models import Source, Transaction


def on_transaction_changed(sender: object, transaction: Transaction, **kwargs: Any) -> None:
    # A transaction learnt from a settlement file was written by a run; it is
    # not news from a webhook, and rechecking it would only repeat that run.
    if transaction.source == Source.SETTLEMENT:
        return
    from reconciliation.services import runs_to_recheck
    from reconciliation.tasks import rerun

    for partner, day in runs_to_recheck(partner=transaction.partner, partner_txn_id=transaction.partner_transaction_id):
        db_transaction.on_commit(functools.partial(rerun.delay, partner, day.isoformat()))
