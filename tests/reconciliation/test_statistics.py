"""A run on a transactions table PostgreSQL has never analysed (a restore, a
bulk load before autovacuum's first pass) analyses it first, so the day's
join is planned for the rows that are there."""

import pytest
from django.db import connection

from reconciliation import services
from tests.reconciliation.kit import DAY, at, record, vnpt_file, vnpt_line

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _never_analysed() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples < 0 FROM pg_class WHERE oid = 'payments_transaction'::regclass")
        return cursor.fetchone()[0]


def test_a_never_analysed_transactions_table_is_analysed_before_matching(lan, frozen_now):
    record("vnpt", "V-1", 30000, at(DAY, 9), vendor=lan)
    with connection.cursor() as cursor:
        # What pg_restore leaves behind: a table with no statistics at all.
        cursor.execute("UPDATE pg_class SET reltuples = -1 WHERE oid = 'payments_transaction'::regclass")
    assert _never_analysed()
    services.settlement_file_import(
        actor=None,
        file_name="VNPT_SETTLEMENT_20261120.csv",
        content=vnpt_file(vnpt_line("V-1", 30000, at(DAY, 9))),
        channel="command",
    )

    run = services.reconciliation_run(actor=None, partner="vnpt", business_date=DAY)

    assert not _never_analysed()
    assert run.outcomes["matched"]["count"] == 1
