"""Hooks for work that follows a recorded transaction (rollups, notices).

Sent by the outbox worker, after the transaction is committed, once per
change; receivers must be idempotent because a retried event sends again.
"""

from django.dispatch import Signal

# kwargs: transaction (payments.models.Transaction)
transaction_changed = Signal()

# A PostgreSQL NOTIFY channel rung at the commit of every statement that
# writes an outbox event, i.e. of every change that makes a transaction count
# (intake, a status change, attribution, a transaction learnt from a
# settlement file), by a trigger on the outbox table (migration 0006): no
# write path can forget it. It carries no payload; it is a doorbell for
# listeners that read what changed from the outbox table itself (the stall
# screens' stream), so a lost ring only delays them.
TRANSACTION_CHANGED_CHANNEL = "payments_transaction_changed"
