"""A week of takings for the demo vendors, delivered through the real intake
path (signed, verified, logged, attributed) by the partner simulator."""

import datetime as dt
import logging
from collections import Counter

from django.db import transaction

from core import clock
from payments import outbox
from payments.models import SimulatedNotice
from payments.simulator import Simulator, local_transport, market_hours, play


def fill_demo_week(*, per_day: int = 300, days: int = 7, seed: int = 40) -> Counter:
    """Deliveries for the last `days` business days up to now. Does nothing
    when simulated takings already exist, so `load_demo` can run twice."""
    if SimulatedNotice.objects.exists():
        return Counter()
    today = clock.today()
    dates = [today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    now = clock.now()
    moments = (moment for moment in market_hours(dates, per_day, seed) if moment <= now)
    # One database transaction for the whole week, follow-up work included:
    # the database would otherwise flush to disk at every delivery's commit.
    trace = logging.getLogger("celery.app.trace")
    level = trace.level
    trace.setLevel(logging.WARNING)
    try:
        with transaction.atomic():
            tally = play(Simulator(seed=seed), moments, local_transport, count=10**9)
            outbox.drain(limit=10**9)
        return tally
    finally:
        trace.setLevel(level)
