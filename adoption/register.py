"""A market's register of stalls and vendors, counted live from merchants'
tables: what the rollups snapshot each night and what today's figures show."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from adoption import measures
from merchants.models import Market, Vendor
from merchants.selectors import vendors_with_active_code


@dataclass(frozen=True)
class RegisterRow:
    """A market's register on a day. Vendor counts are None for a past day
    whose snapshot was never recorded: the register keeps no history."""

    in_pilot: bool
    stalls: int
    vendors_registered: int | None
    vendors_with_code: int | None


def live_register(markets: list[Market], day: dt.date) -> dict[int, RegisterRow]:
    onboarded = vendors_with_active_code(Vendor.objects.all()).values("pk")
    # One pass over the vendors; the onboarded ones come from a subquery the
    # database hashes once (the definition stays merchants.selectors').
    counts = {
        row["market_id"]: row
        for row in Vendor.objects.order_by()
        .values("market_id")
        .annotate(
            registered=Count("pk", filter=Q(status__in=measures.REGISTERED_STATUSES)),
            with_code=Count("pk", filter=Q(pk__in=onboarded)),
        )
    }
    empty = {"registered": 0, "with_code": 0}
    return {
        m.pk: RegisterRow(
            measures.in_pilot_on(m, day),
            m.stall_count,
            counts.get(m.pk, empty)["registered"],
            counts.get(m.pk, empty)["with_code"],
        )
        for m in markets
    }
