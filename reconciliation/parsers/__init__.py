"""Settlement file parsers, one module per partner.

The partners' webhook adapters live in `payments/partners/<code>.py`; the
settlement formats live here, next to the matching that is their only
reader, so each partner's settlement field names are known in exactly one
module and the payments code never needs to know them.
"""

import datetime as dt
from types import ModuleType

from core.partners import Partner
from reconciliation.parsers import mobifone, viettel, vnpt
from reconciliation.parsers.base import Kind, Line, NotStrictShape, SettlementFormatError, Status

PARSERS: dict[str, ModuleType] = {Partner.VNPT: vnpt, Partner.VIETTEL: viettel, Partner.MOBIFONE: mobifone}

__all__ = ["PARSERS", "Kind", "Line", "NotStrictShape", "SettlementFormatError", "Status", "parser_for", "recognise"]


def parser_for(partner: str) -> ModuleType:
    return PARSERS[Partner(partner)]


def recognise(name: str) -> tuple[str, dt.date] | None:
    """(partner, business date) from a settlement file's name, or None."""
    for partner, module in PARSERS.items():
        day = module.date_from_name(name)
        if day is not None:
            return str(partner), day
    return None
