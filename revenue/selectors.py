"""Reads of the revenue app that pages share: who may see a vendor's
revenue, and what a verification code confirms."""

from dataclasses import dataclass

from core.access import can_see_market, role_of
from core.actors import Actor
from core.models import Role
from merchants.models import Vendor
from payments.selectors import vendor_money_by_wallet_day
from revenue import codes
from revenue.models import RevenueDocument


def sees_revenue(user: Actor, vendor: Vendor) -> bool:
    """A vendor's revenue is theirs: only their market's board and operators
    see it (the vendor through their own link). The department never does."""
    role = role_of(user)
    if role == Role.OPERATOR:
        return True
    return role == Role.BOARD and can_see_market(user, vendor.market)


@dataclass(frozen=True)
class Verification:
    document: RevenueDocument
    still_matches: bool  # the system's figures for the period are still those printed


def document_verify(raw: str | None) -> Verification | None:
    """The document a code was printed on, or None: a code never issued, or edited."""
    code = codes.code_normalise(raw)
    document = RevenueDocument.objects.select_related("vendor").filter(code=code).first() if code else None
    if document is None:
        return None
    rows = vendor_money_by_wallet_day(document.vendor, document.first_day, document.last_day)
    now = (
        sum(r.payments for r in rows),
        sum(r.gross for r in rows),
        sum(r.refunds for r in rows),
        sum(r.refunded for r in rows),
    )
    printed = (document.payments_count, document.payments_amount, document.refunds_count, document.refunds_amount)
    return Verification(document, now == printed)
