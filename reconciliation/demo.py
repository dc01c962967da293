"""A reconciliation night for the demo: the last two days of each partner's
simulated takings settled with a few differences of every kind planted, so
the pages show matched money next to exceptions to resolve."""

import datetime as dt

from core import clock
from core.partners import Partner
from reconciliation import services, simulate
from reconciliation.models import Channel, ExceptionKind, ReconciliationException

# The day before yesterday carries every kind; its missing lines become
# exceptions because yesterday's file is in too. Yesterday's missing lines
# stay "awaiting" until today's file, as they would in production.
PLANTS = {
    1: {"amount": 2, "missing": 2, "extra": 2, "duplicate": 2, "status": 2},
    0: {"amount": 1, "missing": 1, "extra": 1, "duplicate": 1, "status": 1},
}


def make_demo_night(*, seed: int = 40) -> dict[str, int]:
    """Import the files and run both days for every partner with takings.
    Running it again changes nothing (same files, same runs)."""
    yesterday = clock.today() - dt.timedelta(days=1)
    for partner in Partner:
        days = [(yesterday - dt.timedelta(days=back), back) for back in (1, 0)]
        written = []
        for day, back in days:
            payments = sum(1 for line in simulate.day_lines(partner, day) if line.kind == "payment")
            if payments < sum(PLANTS[back].values()) * 2:
                break
            written.append((day, simulate.write_settlement(partner=partner, day=day, plants=PLANTS[back], seed=seed)))
        for day, file in written:
            services.settlement_file_import(
                actor=None, file_name=file.file_name, content=file.content, channel=Channel.COMMAND
            )
            services.reconcile(actor=None, partner=partner, business_date=day)
    counts = {kind.value: 0 for kind in ExceptionKind}
    for kind in ReconciliationException.objects.values_list("kind", flat=True):
        counts[kind] += 1
    return counts
