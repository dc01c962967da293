"""Two runs of the same partner and day at once: one is refused, the other
finishes, and the result is the result of one clean run, through
PostgreSQL's row locks."""

import threading

import pytest
from django.db import connections

from core.errors import Conflict
from reconciliation import services
from reconciliation.models import ReconciliationException, ReconciliationRun
from tests.reconciliation.kit import DAY, at, record, vnpt_file, vnpt_line

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_two_runs_of_the_same_day_at_once_cannot_both_run(lan, frozen_now, monkeypatch):
    record("vnpt", "V-AMOUNT", 30000, at(DAY, 9), vendor=lan)
    services.settlement_file_import(
        actor=None,
        file_name="VNPT_SETTLEMENT_20261120.csv",
        content=vnpt_file(vnpt_line("V-AMOUNT", 31000, at(DAY, 9))),
        channel="command",
    )
    services.reconciliation_run(actor=None, partner="vnpt", business_date=DAY)

    inside = threading.Event()
    release = threading.Event()
    real_match = services._match

    def slow_match(*args, **kwargs):
        inside.set()
        release.wait(10)
        return real_match(*args, **kwargs)

    monkeypatch.setattr(services, "_match", slow_match)
    outcome: dict = {}

    def first():
        try:
            outcome["first"] = services.reconciliation_run(actor=None, partner="vnpt", business_date=DAY)
        finally:
            connections.close_all()

    worker = threading.Thread(target=first)
    worker.start()
    assert inside.wait(10)
    try:
        with pytest.raises(Conflict):
            services.reconciliation_run(actor=None, partner="vnpt", business_date=DAY)
    finally:
        release.set()
        worker.join(20)

    run = ReconciliationRun.objects.get()
    assert outcome["first"].pk == run.pk and run.attempts == 2
    assert ReconciliationException.objects.count() == 1
