"""Demo history for the adoption dashboard: the weeks before the demo week,
simulated takings growing week on week, delivered through the real intake
(so the rollups are kept by the same follow-up as in production). It drives
payments' simulator and adoption's rollups at once, so it belongs to the
project rather than to either app."""

import datetime as dt
import logging
from collections import Counter

from django.db import transaction

from adoption import receivers, services
from core import clock
from payments import outbox
from payments.models import Transaction
from payments.signals import transaction_changed
from payments.simulator import Simulator, local_transport, market_hours, play

RECENT_DAYS = 7  # the demo week the payments demo fills


def fill_adoption_history(*, weeks: int = 11, busiest_day: int = 80, seed: int = 41) -> Counter:
    """Takings for `weeks` weeks before the demo week, fewer the further
    back. Does nothing when older takings exist, so `load_demo` can run twice.

    Like a data load, the history goes in with the per-transaction rollup
    hook off and the rollups are then rebuilt once (set-based)."""
    first_recent = clock.today() - dt.timedelta(days=RECENT_DAYS - 1)
    if Transaction.objects.filter(business_date__lt=first_recent).exists():
        return Counter()
    trace = logging.getLogger("celery.app.trace")
    level = trace.level
    trace.setLevel(logging.WARNING)
    tally: Counter = Counter()
    transaction_changed.disconnect(dispatch_uid=receivers.DISPATCH_UID)
    try:
        for back in range(weeks, 0, -1):
            start = first_recent - dt.timedelta(weeks=back)
            dates = [start + dt.timedelta(days=n) for n in range(7)]
            per_day = max(5, busiest_day * (weeks + 1 - back) // (weeks + 1))
            with transaction.atomic():
                tally += play(
                    Simulator(seed=seed + back), market_hours(dates, per_day, seed + back), local_transport, count=10**9
                )
                outbox.drain(limit=10**9)
    finally:
        transaction_changed.connect(receivers.update_rollups, dispatch_uid=receivers.DISPATCH_UID)
        trace.setLevel(level)
    services.rollups_recompute()
    return tally
