"""Writing a file's parsed lines into `SettlementLine`, set-based.

PostgreSQL gets one COPY stream (a million lines is one round trip, not a
million inserts); other databases (the embedded SQLite) get batched
executemany. Either way the same parser output goes into the same table,
inside the caller's transaction, so a file rejected halfway leaves nothing.
"""

from collections.abc import Iterable, Iterator

from django.db import connection

from reconciliation.models import SettlementLine
from reconciliation.parsers import Line

COLUMNS = [
    "file_id",
    "line_no",
    "partner_txn_id",
    "kind",
    "status",
    "completed_at",
    "account",
    "reference",
    "amount",
    "fee",
    "net_amount",
    "original_txn_id",
    "description",
    "is_duplicate",
]
BATCH = 5_000


def _with_duplicates(lines: Iterable[Line]) -> Iterator[tuple]:
    """Each line with a flag telling whether its id appeared earlier in the file."""
    seen: set[str] = set()
    add = seen.add
    for line in lines:
        txn_id = line[1]
        repeated = txn_id in seen
        if not repeated:
            add(txn_id)
        yield line, repeated


def load_lines(file_id: int, lines: Iterable[Line]) -> int:
    """Insert every line; returns how many. Raises whatever the parser raises."""
    table = SettlementLine._meta.db_table
    if connection.vendor == "postgresql":
        count = _copy(table, file_id, lines)
        # Fresh statistics, or the planner takes a million new lines for a
        # handful and matches them with a million index probes.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
        return count
    return _insert(table, file_id, lines)


def _copy(table: str, file_id: int, lines: Iterable[Line]) -> int:
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:  # noqa: S608
            write = copy.write_row
            for line, repeated in _with_duplicates(lines):
                write((file_id, *line, repeated))
                count += 1
    return count


def _insert(table: str, file_id: int, lines: Iterable[Line]) -> int:
    adapt = connection.ops.adapt_datetimefield_value
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"  # noqa: S608
    count = 0
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        for line, repeated in _with_duplicates(lines):
            batch.append((file_id, *line[:4], adapt(line.completed_at), *line[5:], repeated))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
