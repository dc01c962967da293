"""Migration 0004 keys a file's lines by file and line number: going there
and back keeps every line, altered in place, the table still UNLOGGED."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from reconciliation.models import SettlementLine
from tests.reconciliation.files import VNPT_GOOD, VNPT_NAME, import_file

BEFORE, AFTER = (
    ("reconciliation", "0003_lines_brin_index"),
    ("reconciliation", "0004_settlementline_file_and_line_no_key"),
)


def _migrate(target: tuple[str, str]) -> None:
    MigrationExecutor(connection).migrate([target])


def _raw_lines(*columns: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM reconciliation_settlementline ORDER BY line_no")  # noqa: S608
        return cursor.fetchall()


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "reconciliation_settlementline"))


def _is_unlogged() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'reconciliation_settlementline'")
        return cursor.fetchone()[0] == "u"


@pytest.mark.django_db(transaction=True)
def test_a_files_lines_survive_the_change_of_key_and_back(operator):
    settlement = import_file(VNPT_NAME, VNPT_GOOD.encode(), operator).file
    stored = list(
        SettlementLine.objects.order_by("line_no").values_list("file_id", "line_no", "partner_txn_id", "amount")
    )
    assert len(stored) == 3
    try:
        _migrate(BEFORE)
        # Keyed by a numbered id again, the same lines.
        back = _raw_lines("id", "file_id", "line_no", "partner_txn_id", "amount")
        assert [row[1:] for row in back] == stored
        assert len({row[0] for row in back}) == 3
        # And found by file through migration 0003's index again.
        assert "settlementline_file" in _indexes()
    finally:
        _migrate(AFTER)
    assert (
        list(SettlementLine.objects.order_by("line_no").values_list("file_id", "line_no", "partner_txn_id", "amount"))
        == stored
    )
    assert SettlementLine.objects.get(pk=(settlement.pk, 3)).partner_txn_id == "VNPT2611200000456"
    assert "settlementline_file" not in _indexes()
    assert _is_unlogged()
