"""Which vendor a transaction belongs to: by partner and credit account to the
active wallet account, confirmed by the payment reference when one is given."""

import functools
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from merchants.models import Vendor, WalletAccount
from payments.models import Attribution


@dataclass(frozen=True)
class Match:
    state: str
    reason: str = ""
    wallet_account_id: int | None = None
    vendor_id: int | None = None
    market_id: int | None = None

    def as_fields(self) -> dict:
        return {
            "attribution": self.state,
            "attribution_reason": self.reason,
            "wallet_account_id": self.wallet_account_id,
            "vendor_id": self.vendor_id,
            "market_id": self.market_id,
        }


def normalise_reference(reference: str) -> str:
    return "".join(reference.split()).upper()


_COLUMNS = ("pk", "vendor_id", "vendor__market_id", "vendor__payment_reference")


def match(*, partner: str, credit_account: str, reference: str) -> Match:
    return match_many(partner=partner, pairs=[(credit_account, reference)])[0]


def match_many(*, partner: str, pairs: list[tuple[str, str]]) -> list[Match]:
    """`match` for many (credit account, reference) pairs with one query, in order.
    At most one active holder per partner and number (a constraint), so each
    number finds one row or none."""
    accounts = {account for account, _reference in pairs}
    holders: dict[str, tuple] = {}
    for row in (
        WalletAccount.objects.filter(partner=partner, account_number__in=accounts, is_active=True)
        .order_by()
        .values_list("account_number", *_COLUMNS)
    ):
        holders[row[0]] = row[1:]
    return [_decide(holders.get(account), credit_account=account, reference=reference) for account, reference in pairs]


def _decide(row: tuple | None, *, credit_account: str, reference: str) -> Match:
    """The rules, given the active holder of the account (or None)."""
    if row is None:
        return Match(Attribution.UNATTRIBUTED, _no_holder(credit_account))
    account_id, vendor_id, market_id, vendor_reference = row
    if reference and normalise_reference(reference) != normalise_reference(vendor_reference):
        # The account says one vendor, the code scanned says another: a
        # person decides rather than crediting either one silently.
        return Match(Attribution.UNATTRIBUTED, _contradicted(reference, credit_account))
    return Match(Attribution.MATCHED, "", account_id, vendor_id, market_id)


def _no_holder(credit_account: str) -> str:
    return _reasons(get_language())[0] % {"account": credit_account}


def _contradicted(reference: str, credit_account: str) -> str:
    return _reasons(get_language())[1] % {"reference": reference, "account": credit_account}


@functools.cache
def _reasons(language: str) -> tuple[str, str]:
    """The two reasons in `language`, the active one. Intake writes them into
    every delivery's statement, in case it is not attributed, and looking
    them up in the catalogue cost a twentieth of a delivery's Python."""
    return (
        _("Không có tài khoản ví đang dùng nào khớp số tài khoản nhận %(account)s"),
        _("Mã thanh toán %(reference)s không phải của tiểu thương giữ tài khoản %(account)s"),
    )


def decided_sql(*, partner: str, credit_account: str, reference: str) -> tuple[str, list]:
    """`match` as one SQL query yielding exactly one row (state, reason,
    wallet_account_id, vendor_id, market_id), for intake to fold into the
    statement that records the transaction. The same rules as `_decide`: the
    payment tests run the ORM path on SQLite and this one on PostgreSQL."""
    wanted = normalise_reference(reference) if reference else ""
    params = [
        Attribution.MATCHED.value,
        Attribution.UNATTRIBUTED.value,
        _no_holder(credit_account),
        _contradicted(reference, credit_account) if reference else "",
        bool(reference),
        wanted,
        partner,
        credit_account,
    ]
    return _decided_sql(), params


@functools.cache
def _decided_sql() -> str:
    account, vendor = WalletAccount._meta.db_table, Vendor._meta.db_table
    return (
        "SELECT CASE WHEN h.agrees THEN %s ELSE %s END,"  # noqa: S608 — table names from model metadata
        " CASE WHEN h.id IS NULL THEN %s WHEN h.agrees THEN '' ELSE %s END,"
        " CASE WHEN h.agrees THEN h.id END, CASE WHEN h.agrees THEN h.vendor_id END,"
        " CASE WHEN h.agrees THEN h.market_id END"
        " FROM (SELECT 1) AS one LEFT JOIN ("
        "  SELECT a.id, a.vendor_id, v.market_id,"
        "   (NOT %s OR upper(regexp_replace(v.payment_reference, '\\s', '', 'g')) = %s) AS agrees"
        f"  FROM {account} a JOIN {vendor} v ON v.id = a.vendor_id"
        "  WHERE a.partner = %s AND a.account_number = %s AND a.is_active LIMIT 1"
        " ) AS h ON true"
    )
