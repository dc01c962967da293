"""Hooks for work that follows a recorded transaction (rollups, notices).

Sent by the outbox worker, after the transaction is committed, once per
change; receivers must be idempotent because a retried event sends again.
"""

from django.dispatch import Signal

# kwargs: transaction (payments.models.Transaction)
transaction_changed = Signal()
