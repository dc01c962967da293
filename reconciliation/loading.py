"""Writing a file's parsed lines into `SettlementLine`, set-based.

One COPY stream: a million lines is one round trip, not a million inserts.
It runs inside the caller's transaction, so a file rejected halfway leaves
nothing.
"""

import csv
import datetime as dt
import io
import operator
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

import psycopg
from django.db import DataError, connection, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.db.models.fields import AutoFieldMixin

from core.clock import day_bounds
from reconciliation.models import SettlementFile, SettlementFileContent, SettlementLine
from reconciliation.parsers import Line, NotStrictShape, parser_for

if TYPE_CHECKING:
    from _csv import Writer as CsvWriter

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
CHUNK = 20_000
_TEXT_COLUMNS = {"partner_txn_id", "kind", "status", "account", "reference", "original_txn_id", "description"}


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


def compress_later(content: bytes) -> Future[bytes]:
    """Compress the file's bytes in a thread (zlib lets go of the GIL), so it
    overlaps parsing and loading instead of adding to them."""
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(zlib.compress, content, 1)
    pool.shutdown(wait=False)  # the running task still finishes
    return future


def insert_rows(objects: Sequence[Model]) -> None:
    """Insert unsaved model instances of one model (their ids are not read back).

    With COPY: for the ten thousand exceptions of a bad night it costs a
    fraction of `bulk_create`'s batched INSERTs with array parameters.
    """
    if not objects:
        return
    meta = objects[0]._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key or not isinstance(f, AutoFieldMixin)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)  # type: ignore[arg-type]  # concrete: named
    # The connection itself, not the `connection` proxy: the fields consult it
    # for every value, and through the proxy that lookup costs more than the value.
    db = connections[connection.alias]
    getters = [_value_getter(f, db) for f in fields]
    with db.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {meta.db_table} ({columns}) FROM STDIN") as copy:  # noqa: S608
            for obj in objects:
                copy.write_row([get(obj) for get in getters])


# Fields whose Python values psycopg writes as they are; the others go through
# the field's own preparation (JSON, for one).
_PLAIN_FIELDS = (
    models.IntegerField,
    models.BooleanField,
    models.DateField,  # DateTimeField too: aware datetimes need nothing
    models.ForeignKey,
    models.CharField,
    models.TextField,
)


def _value_getter(field: models.Field, db: BaseDatabaseWrapper) -> Callable[[Model], object]:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, add=True), db)  # the time is set here
    if isinstance(field, _PLAIN_FIELDS):
        return operator.attrgetter(field.attname)
    prep, name = field.get_db_prep_save, field.attname
    return lambda obj: prep(getattr(obj, name), db)


def store_content(settlement: SettlementFile, compressed: Future[bytes]) -> None:
    """Keep the file's bytes: its lines can always be parsed again from them."""
    # Tens of megabytes go as one binary parameter: quoted into SQL text they
    # would cost more than the rest of the import.
    meta = SettlementFileContent._meta
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"INSERT INTO {meta.db_table} (file_id, data) VALUES (%s, %b)",  # noqa: S608
            [settlement.pk, compressed.result()],
        )


def ensure_lines(settlement: SettlementFile) -> None:
    """Parse a file's lines again from its stored bytes when they are gone
    (PostgreSQL empties the unlogged lines table after a server crash)."""
    if settlement.line_count == 0 or SettlementLine.objects.filter(file=settlement).exists():
        return
    stored = SettlementFileContent.objects.filter(file=settlement).values_list("data", flat=True).first()
    if stored is None:
        return
    load_file(settlement.pk, settlement.partner, zlib.decompress(bytes(stored)), settlement.business_date)


class _NotStrict(Exception):
    """A file in the strict shape whose fields do not agree with each other."""


def load_file(file_id: int, partner: str, content: bytes, business_date: dt.date) -> int:
    """Parse and insert a file's lines; returns how many. Raises the parser's
    SettlementFormatError, naming the line and the field, for a bad file.

    A file whose parser offers `strict_body` and which is in that strict
    shape is streamed to COPY nearly as it came, and the checks across
    fields are one query; any doubt (a piece out of shape, a clock time
    PostgreSQL refuses, a check failing) rolls that back and the
    line-by-line parse decides, so the error is always the parser's own.
    """
    parser = parser_for(partner)
    strict = getattr(parser, "strict_body", None)
    if strict is not None:
        lines = strict(content)
        if lines is not None:
            try:
                with transaction.atomic():
                    return _copy_strict(file_id, lines, business_date)
            except (_NotStrict, NotStrictShape, DataError, psycopg.DataError):
                pass  # COPY goes through psycopg itself, so its errors come unwrapped
    return load_lines(file_id, parser.parse(content, business_date=business_date))


# A strict line carries the columns in COLUMNS' order up to its original id;
# the loader puts the number in front and these three, which the file has
# not, behind (see `_strict_rows`).
_STRICT_TAIL = ["status", "description", "is_duplicate"]
_STRICT_COLUMNS = [name for name in COLUMNS if name not in _STRICT_TAIL] + _STRICT_TAIL


def _strict_rows(file_id: int, pieces: Iterator[list[bytes]]) -> Iterator[tuple[int, bytes]]:
    """COPY rows of strict lines, a piece at a time: numbered, and flagged
    when their id came earlier in the file (as `_with_duplicates` flags
    parsed lines). Formatting runs through `map`, with no Python step per
    line, unless a piece repeats an id."""
    first = b"%d,%%d,%%b,completed,,f" % file_id
    again = b"%d,%%d,%%b,completed,,t" % file_id
    seen: set[bytes] = set()
    number = 2
    for lines in pieces:
        ids = list(map(_FIRST_FIELD, map(_SPLIT_ID, lines)))  # an id holds no comma
        numbers = range(number, number + len(lines))
        fresh = set(ids)
        if len(fresh) == len(ids) and seen.isdisjoint(fresh):
            seen |= fresh
            rows: Iterator[bytes] = map(first.__mod__, zip(numbers, lines, strict=True))
        else:
            rows = _flag_repeats(first, again, zip(numbers, lines, ids, strict=True), seen)
        yield len(lines), b"\n".join(rows) + b"\n"
        number += len(lines)


_SPLIT_ID = operator.methodcaller("split", b",", 1)
_FIRST_FIELD = operator.itemgetter(0)


def _flag_repeats(first: bytes, again: bytes, lines: Iterable[tuple], seen: set[bytes]) -> Iterator[bytes]:
    for number, line, txn_id in lines:
        if txn_id in seen:
            yield again % (number, line)
        else:
            seen.add(txn_id)
            yield first % (number, line)


def _copy_strict(file_id: int, pieces: Iterator[list[bytes]], business_date: dt.date) -> int:
    table = SettlementLine._meta.db_table
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(_copy_sql(table, _STRICT_COLUMNS)) as copy:
            for lines, rows in _strict_rows(file_id, pieces):
                copy.write(rows)
                count += lines
        # The checks `parse` makes across a line's fields (base.check_window,
        # base.check_net, a refund's original), as one scan.
        cursor.execute(
            f"""SELECT 1 FROM {table} WHERE file_id = %(file)s AND (
                   completed_at < %(start)s OR completed_at >= %(end)s
                   OR net_amount <> CASE WHEN kind = 'payment' THEN amount - fee ELSE -amount - fee END
                   OR (kind = 'refund' AND original_txn_id = '')) LIMIT 1""",  # noqa: S608
            {
                "file": file_id,
                "start": day_bounds(business_date - dt.timedelta(days=1))[0],
                "end": day_bounds(business_date)[1],
            },
        )
        if cursor.fetchone() is not None:
            raise _NotStrict
    _after_copy(table)
    return count


def load_lines(file_id: int, lines: Iterable[Line]) -> int:
    """Insert every line; returns how many. Raises whatever the parser raises."""
    table = SettlementLine._meta.db_table
    count = _copy(table, file_id, lines)
    _after_copy(table)
    return count


def _after_copy(table: str) -> None:
    with connection.cursor() as cursor:
        # Fresh statistics, or the planner takes a million new lines for a
        # handful and matches them with a million index probes.
        cursor.execute(f"ANALYZE {table}")


def _copy_sql(table: str, columns: list[str]) -> str:
    # Empty text is forced to '' (unquoted empty means NULL in COPY's CSV).
    text_columns = [name for name in columns if name in _TEXT_COLUMNS]
    return (
        f"COPY {table} ({', '.join(columns)}) FROM STDIN "  # noqa: S608
        f"(FORMAT csv, FORCE_NOT_NULL ({', '.join(text_columns)}))"
    )


def _copy(table: str, file_id: int, lines: Iterable[Line]) -> int:
    # CSV text written by the C csv writer in large chunks: several times
    # cheaper per line than adapting each value with `write_row`.
    sql = _copy_sql(table, COLUMNS)
    count = 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        batch: list[tuple] = []
        for line, repeated in _with_duplicates(lines):
            batch.append((file_id, *line, "t" if repeated else "f"))
            if len(batch) >= CHUNK:
                count += _write_chunk(copy, writer, buffer, batch)
        count += _write_chunk(copy, writer, buffer, batch)
    return count


def _write_chunk(copy: psycopg.Copy, writer: "CsvWriter", buffer: io.StringIO, batch: list[tuple]) -> int:
    writer.writerows(batch)
    copy.write(buffer.getvalue())
    buffer.seek(0)
    buffer.truncate()
    count = len(batch)
    batch.clear()
    return count
