"""Matching a settlement file against the recorded transactions, set-based.

The parsed lines are already in `SettlementLine`; matching is a few SQL
statements joining them to `payments_transaction` on the partner's
transaction id, whatever the size of the file, so the ten-line file of a
test and the million-line file of the benchmark go through the same code.

Every line ends in one outcome, and every transaction of the day that no
line names ends in one too:

    line-driven         matched, amount_differs, status_differs,
                        not_recorded (a missed webhook), duplicate_line
    transaction-driven  not_in_file (only once the next day's file is in),
                        awaiting_next_file, settled_other_day

A transaction completed just before midnight and settled on the next day's
file is matched by that day's run (the join ignores business dates) and is
`settled_other_day` in its own day's run: counted once, reported never.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from django.db import connection

from payments.models import Source, Status, Transaction
from reconciliation.models import ExceptionKind, SettlementLine


class Outcome(StrEnum):
    """Where a line of the file, or a transaction of the day, ends: the names
    of a run's tallies. The differences a person must see are exception kinds."""

    MATCHED = "matched"
    AMOUNT_DIFFERS = ExceptionKind.AMOUNT_DIFFERS.value
    STATUS_DIFFERS = ExceptionKind.STATUS_DIFFERS.value
    NOT_RECORDED = ExceptionKind.NOT_RECORDED.value
    DUPLICATE_LINE = ExceptionKind.DUPLICATE_LINE.value
    NOT_IN_FILE = ExceptionKind.NOT_IN_FILE.value
    AWAITING = "awaiting_next_file"
    SETTLED_OTHER_DAY = "settled_other_day"


# A line's outcome: the first of these whose condition holds on the line `l`
# and its recorded transaction `t`, else matched. A transaction learnt from a
# settlement file is still a missed webhook, so a rerun after it was created
# says the same as the first run.
LINE_RULES = (
    (Outcome.DUPLICATE_LINE, "l.is_duplicate"),
    (Outcome.NOT_RECORDED, "t.id IS NULL OR t.source = %(learnt)s"),
    (Outcome.STATUS_DIFFERS, "t.kind <> l.kind OR t.status <> l.status"),
    (Outcome.AMOUNT_DIFFERS, "t.amount <> l.amount"),
)
LINE_OUTCOMES = [
    Outcome.MATCHED,
    Outcome.AMOUNT_DIFFERS,
    Outcome.STATUS_DIFFERS,
    Outcome.NOT_RECORDED,
    Outcome.DUPLICATE_LINE,
]
TRANSACTION_OUTCOMES = [Outcome.NOT_IN_FILE, Outcome.AWAITING, Outcome.SETTLED_OTHER_DAY]
OUTCOMES = LINE_OUTCOMES + TRANSACTION_OUTCOMES

_LINES = SettlementLine._meta.db_table
_TXNS = Transaction._meta.db_table
_OUTCOME_CASE = (
    "CASE "
    + " ".join(f"WHEN {condition} THEN '{outcome.value}'" for outcome, condition in LINE_RULES)
    + f" ELSE '{Outcome.MATCHED.value}' END"
)

# Each line of the file with its recorded transaction (if any) and its outcome.
_LINE_OUTCOME = f"""
SELECT l.line_no, l.partner_txn_id, l.kind, l.status, l.completed_at, l.account, l.reference,
       l.amount, l.fee, l.net_amount, l.original_txn_id, l.description,
       t.id AS txn_id, t.kind AS t_kind, t.status AS t_status, t.amount AS t_amount,
       t.completed_at AS t_completed_at, t.credit_account AS t_account, t.reference AS t_reference,
       t.vendor_id, t.market_id, {_OUTCOME_CASE} AS outcome
FROM {_LINES} l
LEFT JOIN {_TXNS} t ON t.partner = %(partner)s AND t.partner_transaction_id = l.partner_txn_id
WHERE l.file_id = %(file)s
"""  # noqa: S608 — table names come from model metadata, values are parameters

# One pass over the join: the matched lines summed per vendor, and the
# number of every other line (its own group), whose details `_DIFFERENCES`
# then reads through the primary keys. A second full join for the details
# would cost as much as the first.
_LINE_GROUPS = f"""
WITH o AS ({_LINE_OUTCOME})
SELECT market_id, vendor_id,
       CASE WHEN outcome = '{Outcome.MATCHED.value}' THEN NULL ELSE line_no END AS difference_line,
       COUNT(*), SUM(amount), SUM(COALESCE(t_amount, 0)), SUM(fee), SUM(net_amount),
       SUM(CASE WHEN status = 'completed' THEN (CASE WHEN kind = 'refund' THEN -amount ELSE amount END) ELSE 0 END)
FROM o GROUP BY 1, 2, 3
"""  # noqa: S608

# The lines `_LINE_GROUPS` found not matched, each with both sides.
_DIFFERENCES = f"""
{_LINE_OUTCOME} AND l.line_no IN (SELECT value FROM unnest(%(line_numbers)s::integer[]) AS value) ORDER BY l.line_no
"""  # noqa: S608

# Transactions of the day that the file does not name, and whether the file
# of the day before or after names them (an IN list, which PostgreSQL hashes
# once, where an EXISTS here would scan those files again for every row).
_UNSETTLED = f"""
SELECT t.id AS txn_id, t.partner_transaction_id, t.kind AS t_kind, t.status AS t_status, t.amount AS t_amount,
       t.completed_at AS t_completed_at, t.credit_account AS t_account, t.reference AS t_reference,
       t.vendor_id, t.market_id,
       CASE WHEN t.partner_transaction_id IN (SELECT a.partner_txn_id FROM {_LINES} a
                                              WHERE a.file_id IN (%(previous)s, %(next)s))
            THEN 1 ELSE 0 END AS elsewhere
FROM {_TXNS} t
WHERE t.partner = %(partner)s AND t.business_date = %(day)s AND t.status <> %(failed)s
  AND NOT EXISTS (SELECT 1 FROM {_LINES} l WHERE l.file_id = %(file)s AND l.partner_txn_id = t.partner_transaction_id)
ORDER BY t.completed_at, t.id
"""  # noqa: S608


class Counted(NamedTuple):
    """Lines or transactions counted together, with their sums."""

    count: int  # type: ignore[assignment]  # the field shadows tuple.count, which nothing here calls
    file_amount: int = 0
    recorded_amount: int = 0
    fee: int = 0
    net: int = 0
    # What the completed lines move: a refund takes its amount back.
    settled: int = 0


@dataclass
class Tally:
    """One outcome's figures in a run."""

    count: int = 0
    file_amount: int = 0
    recorded_amount: int = 0
    fee: int = 0
    net: int = 0

    def add(self, counted: Counted) -> None:
        self.count += counted.count
        self.file_amount += counted.file_amount
        self.recorded_amount += counted.recorded_amount
        self.fee += counted.fee
        self.net += counted.net

    def as_dict(self) -> dict:
        return {
            "count": self.count,
            "file_amount": self.file_amount,
            "recorded_amount": self.recorded_amount,
            "fee": self.fee,
            "net": self.net,
        }


class VendorKey(NamedTuple):
    market_id: int | None
    vendor_id: int | None


@dataclass
class VendorTotal:
    """What a vendor's lines settled in a run."""

    count: int = 0
    amount: int = 0
    fee: int = 0
    net: int = 0

    def add(self, counted: Counted) -> None:
        self.count += counted.count
        self.amount += counted.settled
        self.fee += counted.fee
        self.net += counted.net


@dataclass
class Difference:
    """One non-matched outcome, with both sides as plain data."""

    kind: str
    partner_txn_id: str
    line_no: int | None
    transaction_id: int | None
    vendor_id: int | None
    market_id: int | None
    file_side: dict | None
    recorded_side: dict | None


@dataclass
class Result:
    outcomes: dict[str, Tally] = field(default_factory=lambda: {name: Tally() for name in OUTCOMES})
    totals: dict[VendorKey, VendorTotal] = field(default_factory=lambda: defaultdict(VendorTotal))
    differences: list[Difference] = field(default_factory=list)
    awaiting: int = 0

    def add(self, outcome: str, counted: Counted, *, vendor: VendorKey | None = None) -> None:
        """Count into an outcome and, when `vendor` is given, into what that vendor settled."""
        self.outcomes[outcome].add(counted)
        if vendor is not None:
            self.totals[vendor].add(counted)


def tune_session() -> None:
    """Settings for the rest of the caller's database transaction, under which
    the joins over a day's lines are planned and run as they are meant to."""
    with connection.cursor() as cursor:
        # Compiling the matching joins costs more than it saves at any size we see.
        cursor.execute("SET LOCAL jit = off")
        # The commit does not wait for its WAL to reach disk: a server crash in
        # the next fraction of a second can lose a finished run, never half of
        # one, and running it again (the nightly schedule or `reconcile`) gives
        # the same result, so the wait buys nothing a rerun does not.
        cursor.execute("SET LOCAL synchronous_commit = off")
        # The joins hash a day's million ids: in memory, not in eight batches on disk.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # The planner expects a group per joined line where there are a few thousand
        # (vendors and differences), and would sort a million rows to avoid a hash
        # table it fears too big; a hash aggregate that outgrows memory spills anyway.
        cursor.execute("SET LOCAL hash_mem_multiplier = 8")
        # The day's join may use a second core: the planner prices each row a worker
        # hands over at ten times the cost of reading it, and so never splits a join
        # that returns a million rows; the handover is a copy in shared memory, and
        # the split join is faster.
        cursor.execute("SET LOCAL parallel_tuple_cost = 0.001")
        # A table never analysed (a restore, a bulk load before autovacuum's first
        # pass) is planned as nearly empty: the day's join becomes a million index
        # probes instead of one hash join. A sample costs far less.
        cursor.execute("SELECT reltuples < 0 FROM pg_class WHERE oid = %s::regclass", [_TXNS])
        if cursor.fetchone()[0]:
            cursor.execute(f"ANALYZE {_TXNS}")


def _fetch(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _file_side(row: dict) -> dict:
    return {
        "line_no": row["line_no"],
        "kind": row["kind"],
        "status": row["status"],
        "amount": int(row["amount"]),
        "fee": int(row["fee"]),
        "net_amount": int(row["net_amount"]),
        "completed_at": row["completed_at"].isoformat(),
        "account": row["account"],
        "reference": row["reference"],
        "original_txn_id": row["original_txn_id"],
    }


def _recorded_side(row: dict) -> dict:
    return {
        "transaction_id": row["txn_id"],
        "kind": row["t_kind"],
        "status": row["t_status"],
        "amount": int(row["t_amount"]),
        "completed_at": row["t_completed_at"].isoformat(),
        "account": row["t_account"],
        "reference": row["t_reference"],
    }


@dataclass
class LineReading:
    """A file's lines read against the recorded transactions."""

    # the matched lines of each vendor
    matched: list[tuple[VendorKey, Counted]]
    # every other line, in file order, with both sides
    differences: list[dict]


def read_lines(*, partner: str, file_id: int) -> LineReading:
    """Sum the matched lines and fetch every other line, in one join."""
    params: dict[str, Any] = {"partner": partner, "file": file_id, "learnt": Source.SETTLEMENT}
    matched, line_numbers = [], []
    with connection.cursor() as cursor:
        cursor.execute(_LINE_GROUPS, params)
        for market_id, vendor_id, difference_line, *sums in cursor.fetchall():
            if difference_line is None:
                matched.append((VendorKey(market_id, vendor_id), Counted(*(int(value or 0) for value in sums))))
            else:
                line_numbers.append(difference_line)
    if not line_numbers:
        return LineReading(matched, [])
    params["line_numbers"] = line_numbers
    return LineReading(matched, _fetch(_DIFFERENCES, params))


def attach_learnt(differences: list[dict], created: dict[str, Transaction]) -> None:
    """Give the difference rows of lines naming a just-learnt transaction its recorded side."""
    for row in differences:
        txn = created.get(row["partner_txn_id"]) if row["txn_id"] is None else None
        if txn is None:
            continue
        row.update(
            txn_id=txn.pk,
            t_kind=txn.kind,
            t_status=txn.status,
            t_amount=txn.amount,
            t_completed_at=txn.completed_at,
            t_account=txn.credit_account,
            t_reference=txn.reference,
            vendor_id=txn.vendor_id,
            market_id=txn.market_id,
        )


def _settled(row: dict) -> int:
    """What a completed line moves: a refund takes its amount back (as the
    last sum of `_LINE_GROUPS` does for the matched lines)."""
    if row["status"] != Status.COMPLETED:
        return 0
    return -int(row["amount"]) if row["kind"] == "refund" else int(row["amount"])


def match_file(
    *,
    partner: str,
    day: dt.date,
    file_id: int,
    previous_file_id: int | None,
    next_file_id: int | None,
    lines: LineReading,
) -> Result:
    """Sort the file's lines and the day's transactions into outcomes.

    `lines` is `read_lines` with any missed-webhook transactions attached
    since (`attach_learnt`), so their lines count for their vendor.
    """
    result = Result()
    for vendor, counted in lines.matched:
        result.add(Outcome.MATCHED, counted, vendor=vendor)

    for row in lines.differences:
        counted = Counted(
            count=1,
            file_amount=int(row["amount"]),
            recorded_amount=int(row["t_amount"] or 0),
            fee=int(row["fee"]),
            net=int(row["net_amount"]),
            settled=_settled(row),
        )
        # A duplicate line settles nothing: the first line of its id did.
        settled_by = None if row["outcome"] == Outcome.DUPLICATE_LINE else VendorKey(row["market_id"], row["vendor_id"])
        result.add(row["outcome"], counted, vendor=settled_by)
        recorded = _recorded_side(row) if row["txn_id"] is not None else None
        result.differences.append(
            Difference(
                kind=row["outcome"],
                partner_txn_id=row["partner_txn_id"],
                line_no=row["line_no"],
                transaction_id=row["txn_id"],
                vendor_id=row["vendor_id"],
                market_id=row["market_id"],
                file_side=_file_side(row),
                recorded_side=recorded,
            )
        )

    unsettled = _fetch(
        _UNSETTLED,
        {
            "partner": partner,
            "day": day,
            "file": file_id,
            "previous": previous_file_id or -1,
            "next": next_file_id or -1,
            "failed": Status.FAILED,
        },
    )
    for row in unsettled:
        if row["elsewhere"]:
            outcome = Outcome.SETTLED_OTHER_DAY
        elif next_file_id is None:
            outcome = Outcome.AWAITING
        else:
            outcome = Outcome.NOT_IN_FILE
        result.add(outcome, Counted(count=1, recorded_amount=int(row["t_amount"])))
        if outcome == Outcome.NOT_IN_FILE:
            result.differences.append(
                Difference(
                    kind=ExceptionKind.NOT_IN_FILE,
                    partner_txn_id=row["partner_transaction_id"],
                    line_no=None,
                    transaction_id=row["txn_id"],
                    vendor_id=row["vendor_id"],
                    market_id=row["market_id"],
                    file_side=None,
                    recorded_side=_recorded_side(row),
                )
            )
    result.awaiting = result.outcomes[Outcome.AWAITING].count
    return result
