"""The adoption rollups follow every recorded or changed transaction.

The payments follow-up (outbox) sends `transaction_changed` after commit,
inside its own database transaction: if the rollup fails, the event is
retried, and the rollup recomputes its rows, so a retry cannot count twice."""

from typing import Any

from django.dispatch import receiver

from adoption import services
from payments.models import Transaction
from payments.signals import transaction_changed

DISPATCH_UID = "adoption-rollups"


@receiver(transaction_changed, dispatch_uid=DISPATCH_UID)
def update_rollups(sender: object, transaction: Transaction, **kwargs: Any) -> None:
    services.rollup_transaction_recorded(transaction_id=transaction.pk)
