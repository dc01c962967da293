"""The reads that lost their full indexes still find an index on PostgreSQL.

Every delivery pays for each index on the payment tables, so the operators'
views are served by partial indexes (payments migration 0003). With
sequential scans switched off, a plan that finds no usable index still shows
a sequential scan, so each test fails if its index stops matching the query.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments import followup, selectors
from payments.models import Transaction
from tests.payments.kit import post, vnpt, vnpt_body

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def index_only():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")


def test_the_delivery_log_filtered_by_a_verdict_other_than_accepted_uses_its_partial_index(index_only):
    plan = selectors.delivery_log(partner="vnpt", verdict="rejected")[:50].explain()

    # The log is partitioned by month (payments/partitions.py): each partition
    # scans its own copy of the index, named by PostgreSQL.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'delivery_not_accepted'::regclass"
        )
        copies = {name for (name,) in cursor.fetchall()}
    used = set(re.findall(r"Index Scan on (\S+)", plan))
    assert copies and used and used <= copies, plan


def test_the_unattributed_queue_uses_its_partial_index(index_only):
    plan = selectors.unattributed_queue()[:50].explain()

    assert "transaction_unattributed" in plan, plan


def test_a_payment_finds_its_held_refunds_through_their_partial_index(index_only, client, lan):
    headers, body = vnpt(vnpt_body())
    assert post(client, "vnpt", headers, body).status_code == 200
    payment = Transaction.objects.get()

    with CaptureQueriesContext(connection) as queries:
        followup.link_refunds(payment)
    (linking,) = [query["sql"] for query in queries.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + linking)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "transaction_held_refunds" in plan, plan
