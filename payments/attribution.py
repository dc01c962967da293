"""Which vendor a transaction belongs to: by partner and credit account to the
active wallet account, confirmed by the payment reference when one is given."""

import functools
from dataclasses import dataclass
from typing import Any

from django.db import connection
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


def match_many(*, partner: str, pairs: list[tuple[str, str]]) -> list[Match]:
    """The attribution of many (credit account, reference) pairs, in order, in
    one query: the rule of `decided_sql` over all of them at once."""
    if not pairs:
        return []
    columns = list(zip(*(_pair_values(account, reference) for account, reference in pairs), strict=True))
    source = (
        "unnest(CAST(%s AS text[]), CAST(%s AS text[]), CAST(%s AS text[]), CAST(%s AS text[]))"
        " WITH ORDINALITY AS p(account, wanted, no_holder, contradicted, n)"
    )
    sql = _rule_sql(source)
    params: list[Any] = [*_STATES, *(list(column) for column in columns), partner]
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY p.n", params)
        return [Match(*row) for row in cursor.fetchall()]


def decided_sql(*, partner: str, credit_account: str, reference: str) -> tuple[str, list]:
    """The attribution of one transaction as a query yielding exactly one row
    (state, reason, wallet_account_id, vendor_id, market_id), for intake to
    fold into the statement that records the transaction."""
    return _one_pair_sql(), [*_STATES, *_pair_values(credit_account, reference), partner]


_STATES = (Attribution.MATCHED.value, Attribution.UNATTRIBUTED.value)


def _pair_values(credit_account: str, reference: str) -> tuple[str, str | None, str, str]:
    """A pair as the rule reads it: the account, the normalised reference (None
    when the transaction has none), and the two reasons it may be left with."""
    wanted = normalise_reference(reference) if reference else None
    contradicted = _contradicted(reference, credit_account) if reference else ""
    return credit_account, wanted, _no_holder(credit_account), contradicted


@functools.cache
def _one_pair_sql() -> str:
    return _rule_sql(
        "(SELECT CAST(%s AS text), CAST(%s AS text), CAST(%s AS text), CAST(%s AS text))"
        " AS p(account, wanted, no_holder, contradicted)"
    )


@functools.cache
def _rule_sql(pairs: str) -> str:
    """The rule, for each row of `pairs` (account, wanted, no_holder,
    contradicted): the active holder of the account gets the transaction
    unless the reference names another vendor. The account says one vendor
    and the code scanned another: a person decides rather than crediting
    either one silently. At most one active holder per partner and number
    (a constraint), so each pair finds one holder or none."""
    account, vendor = WalletAccount._meta.db_table, Vendor._meta.db_table
    return (
        "SELECT CASE WHEN h.agrees THEN %s ELSE %s END,"  # noqa: S608 — table names from model metadata
        " CASE WHEN h.id IS NULL THEN p.no_holder WHEN h.agrees THEN '' ELSE p.contradicted END,"
        " CASE WHEN h.agrees THEN h.id END, CASE WHEN h.agrees THEN h.vendor_id END,"
        " CASE WHEN h.agrees THEN h.market_id END"
        f" FROM {pairs} LEFT JOIN LATERAL ("
        "  SELECT a.id, a.vendor_id, v.market_id,"
        "   (p.wanted IS NULL OR upper(regexp_replace(v.payment_reference, '\\s', '', 'g')) = p.wanted) AS agrees"
        f"  FROM {account} a JOIN {vendor} v ON v.id = a.vendor_id"
        "  WHERE a.partner = %s AND a.account_number = p.account AND a.is_active LIMIT 1"
        " ) AS h ON true"
    )


def _no_holder(credit_account: str) -> str:
    return _reasons(get_language())[0] % {"account": credit_account}


def _contradicted(reference: str, credit_account: str) -> str:
    return _reasons(get_language())[1] % {"reference": reference, "account": credit_account}


@functools.cache
def _reasons(language: str) -> tuple[str, str]:
    """The two reasons in `language`, the active one. Intake writes them into
    every delivery's statement, in case it is not attributed, and looking
    them up in the catalogue each time was a share of a delivery's Python
    worth saving."""
    return (
        _("Không có tài khoản ví đang dùng nào khớp số tài khoản nhận %(account)s"),
        _("Mã thanh toán %(reference)s không phải của tiểu thương giữ tài khoản %(account)s"),
    )
