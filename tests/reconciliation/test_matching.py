"""A night's matching: every outcome, the midnight boundary, reruns, a run
killed midway, and exceptions that later files or webhooks close."""

import datetime as dt

import pytest
from django.db import connection

from core.models import AuditEntry
from payments.models import Source, Transaction
from reconciliation import matching, services
from reconciliation.explanations import OUTCOME_LABELS
from reconciliation.models import (
    ExceptionKind,
    ExceptionStatus,
    ReconciliationException,
    ReconciliationRun,
    RunTotal,
    SettlementLine,
)
from tests.reconciliation.kit import DAY, at, record, vnpt_file, vnpt_line

pytestmark = pytest.mark.django_db

NEXT = DAY + dt.timedelta(days=1)


def import_vnpt(day: dt.date, *lines: str, operator=None):
    return services.settlement_file_import(
        actor=operator, file_name=f"VNPT_SETTLEMENT_{day:%Y%m%d}.csv", content=vnpt_file(*lines), channel="command"
    ).file


def run(day: dt.date = DAY, partner: str = "vnpt") -> ReconciliationRun:
    return services.reconcile(actor=None, partner=partner, business_date=day)[0]


def exceptions(**filters) -> dict[str, str]:
    return {e.partner_txn_id: e.kind for e in ReconciliationException.objects.filter(**filters)}


def test_the_outcomes_the_sql_can_give_are_the_line_outcomes_of_the_enum():
    """The CASE that classifies lines is built from `LINE_RULES`; every line
    outcome has its rule (or is the default), every outcome its label, and
    every difference a person sees is an exception kind."""
    decided = [outcome for outcome, _condition in matching.LINE_RULES]
    assert len(set(decided)) == len(decided)
    assert {matching.Outcome.MATCHED, *decided} == set(matching.LINE_OUTCOMES)
    assert matching.OUTCOMES == list(matching.Outcome)
    assert set(OUTCOME_LABELS) == set(matching.Outcome)
    differences = set(matching.OUTCOMES) - {
        matching.Outcome.MATCHED,
        matching.Outcome.AWAITING,
        matching.Outcome.SETTLED_OTHER_DAY,
    }
    assert differences == set(ExceptionKind) - {ExceptionKind.MISSING_FILE}
    for outcome in decided:
        assert f"THEN '{outcome.value}'" in matching._LINE_OUTCOME


def test_a_clean_day_matches_every_line(lan, frozen_now):
    record("vnpt", "V1", 45000, at(DAY, 8), vendor=lan)
    record("vnpt", "V2", 30000, at(DAY, 9), vendor=lan)
    import_vnpt(DAY, vnpt_line("V1", 45000, at(DAY, 8)), vnpt_line("V2", 30000, at(DAY, 9), fee=300))

    result = run()

    assert result.outcomes["matched"]["count"] == 2
    assert result.outcomes["matched"]["file_amount"] == 75000
    assert result.exception_count == 0 and not ReconciliationException.objects.exists()
    assert (result.total_amount, result.total_fee, result.total_net) == (75000, 300, 74700)
    total = RunTotal.objects.get(run=result)
    assert (total.vendor, total.market, total.count, total.amount, total.fee) == (lan, lan.market, 2, 75000, 300)


def test_each_difference_becomes_an_explained_exception(lan, frozen_now):
    record("vnpt", "V-MATCH", 45000, at(DAY, 8), vendor=lan)
    record("vnpt", "V-AMOUNT", 30000, at(DAY, 9), vendor=lan)
    record("vnpt", "V-STATUS", 20000, at(DAY, 10), vendor=lan)
    record("vnpt", "V-DUP", 15000, at(DAY, 11), vendor=lan)
    import_vnpt(
        DAY,
        vnpt_line("V-MATCH", 45000, at(DAY, 8)),
        vnpt_line("V-AMOUNT", 31000, at(DAY, 9)),
        vnpt_line("V-STATUS", 20000, at(DAY, 10), kind="REFUND", original="V-STATUS"),
        vnpt_line("V-DUP", 15000, at(DAY, 11)),
        vnpt_line("V-DUP", 15000, at(DAY, 11)),
        vnpt_line("V-MISSED", 12000, at(DAY, 12), reference=lan.payment_reference),
    )

    result = run()

    assert exceptions() == {
        "V-AMOUNT": "amount_differs",
        "V-STATUS": "status_differs",
        "V-DUP": "duplicate_line",
        "V-MISSED": "not_recorded",
    }
    counts = {name: tally["count"] for name, tally in result.outcomes.items() if tally["count"]}
    assert counts == {"matched": 2, "amount_differs": 1, "status_differs": 1, "duplicate_line": 1, "not_recorded": 1}
    amount = ReconciliationException.objects.get(kind="amount_differs")
    assert (amount.file_amount, amount.recorded_amount) == (31000, 30000)
    assert (
        "31.000 ₫" in amount.explanation and "30.000 ₫" in amount.explanation and "chênh 1.000 ₫" in amount.explanation
    )
    status = ReconciliationException.objects.get(kind="status_differs")
    assert "hoàn tiền" in status.explanation and "thanh toán" in status.explanation
    duplicate = ReconciliationException.objects.get(kind="duplicate_line")
    assert duplicate.line_no == 6 and "dòng 6" in duplicate.explanation
    assert all(e.market == lan.market for e in ReconciliationException.objects.all())


def test_a_missed_webhook_creates_the_transaction_and_attributes_it(lan, frozen_now):
    import_vnpt(DAY, vnpt_line("V-MISSED", 12000, at(DAY, 12), reference=lan.payment_reference))

    run()

    learnt = Transaction.objects.get(partner="vnpt", partner_transaction_id="V-MISSED")
    assert learnt.source == Source.SETTLEMENT
    assert (learnt.vendor, learnt.market, learnt.amount, learnt.business_date) == (lan, lan.market, 12000, DAY)
    exception = ReconciliationException.objects.get()
    assert exception.kind == "not_recorded" and exception.vendor == lan and exception.transaction == learnt
    assert "webhook" in exception.explanation


def test_recorded_but_missing_is_an_exception_only_once_the_next_file_is_in(lan, frozen_now):
    record("vnpt", "V1", 45000, at(DAY, 8), vendor=lan)
    record("vnpt", "V-GONE", 30000, at(DAY, 9), vendor=lan)
    import_vnpt(DAY, vnpt_line("V1", 45000, at(DAY, 8)))

    first = run()
    assert first.awaiting_count == 1 and not ReconciliationException.objects.exists()

    import_vnpt(NEXT)
    run(NEXT)

    first.refresh_from_db()
    assert first.awaiting_count == 0
    assert exceptions(run=first) == {"V-GONE": "not_in_file"}
    assert first.outcomes["not_in_file"] == {"count": 1, "file_amount": 0, "recorded_amount": 30000, "fee": 0, "net": 0}


def test_just_before_midnight_settled_next_day_is_matched_once(lan, frozen_now):
    late = at(DAY, 23, 59, 58)
    record("vnpt", "V-LATE", 50000, late, vendor=lan)
    record("vnpt", "V1", 45000, at(DAY, 8), vendor=lan)
    import_vnpt(DAY, vnpt_line("V1", 45000, at(DAY, 8)))
    import_vnpt(NEXT, vnpt_line("V-LATE", 50000, late))

    run(DAY)
    second = run(NEXT)

    first = ReconciliationRun.objects.get(partner="vnpt", business_date=DAY)
    assert not ReconciliationException.objects.exists()
    assert first.outcomes["settled_other_day"]["count"] == 1 and first.awaiting_count == 0
    assert second.outcomes["matched"]["count"] == 1 and second.outcomes["not_recorded"]["count"] == 0


def test_a_rerun_gives_the_same_result_and_no_duplicate_exceptions(lan, frozen_now):
    record("vnpt", "V-AMOUNT", 30000, at(DAY, 9), vendor=lan)
    import_vnpt(
        DAY,
        vnpt_line("V-AMOUNT", 31000, at(DAY, 9)),
        vnpt_line("V-MISSED", 12000, at(DAY, 12), reference=lan.payment_reference),
    )
    first = run()
    snapshot = (first.outcomes, list(ReconciliationException.objects.values_list("key", "kind", "explanation")))

    again = run()

    assert again.pk == first.pk and again.attempts == 2
    assert (again.outcomes, list(ReconciliationException.objects.values_list("key", "kind", "explanation"))) == snapshot
    assert Transaction.objects.filter(partner_transaction_id="V-MISSED").count() == 1


def test_a_run_killed_midway_leaves_nothing_and_a_rerun_equals_a_clean_run(lan, frozen_now, monkeypatch):
    record("vnpt", "V-AMOUNT", 30000, at(DAY, 9), vendor=lan)
    import_vnpt(
        DAY,
        vnpt_line("V-AMOUNT", 31000, at(DAY, 9)),
        vnpt_line("V-MISSED", 12000, at(DAY, 12), reference=lan.payment_reference),
    )

    def killed(*args, **kwargs):
        raise SystemExit("worker killed")

    # Dies after the missed-webhook transaction was written and the lines matched.
    with monkeypatch.context() as patch:
        patch.setattr(services, "_sync_exceptions", killed)
        with pytest.raises(SystemExit):
            run()

    assert not ReconciliationRun.objects.exists()
    assert not Transaction.objects.filter(partner_transaction_id="V-MISSED").exists()
    assert not ReconciliationException.objects.exists()

    rerun = run()

    assert rerun.attempts == 1
    assert exceptions() == {"V-AMOUNT": "amount_differs", "V-MISSED": "not_recorded"}
    assert rerun.outcomes["matched"]["count"] == 0 and rerun.outcomes["not_recorded"]["count"] == 1


def test_lines_lost_in_a_server_crash_are_parsed_again_from_the_stored_file(lan, frozen_now):
    # On PostgreSQL the lines table is unlogged: a crash empties it, the files stay.
    record("vnpt", "V-AMOUNT", 30000, at(DAY, 9), vendor=lan)
    record("vnpt", "V-GONE", 20000, at(DAY, 10), vendor=lan)
    import_vnpt(
        DAY,
        vnpt_line("V-AMOUNT", 31000, at(DAY, 9)),
        vnpt_line("V-DUP", 15000, at(DAY, 11), reference=lan.payment_reference),
        vnpt_line("V-DUP", 15000, at(DAY, 11), reference=lan.payment_reference),
    )
    import_vnpt(NEXT)
    first = run()
    snapshot = (
        first.outcomes,
        first.exception_count,
        sorted(ReconciliationException.objects.values_list("key", "kind", "line_no", "explanation", "status")),
        sorted(RunTotal.objects.filter(run=first).values_list("vendor_id", "count", "amount", "fee", "net")),
    )
    assert first.exception_count == 4  # amount, missed webhook, its duplicate line, not in file

    SettlementLine.objects.all().delete()
    again = run()

    assert SettlementLine.objects.count() == 3
    assert snapshot == (
        again.outcomes,
        again.exception_count,
        sorted(ReconciliationException.objects.values_list("key", "kind", "line_no", "explanation", "status")),
        sorted(RunTotal.objects.filter(run=again).values_list("vendor_id", "count", "amount", "fee", "net")),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [SettlementLine._meta.db_table])
        assert cursor.fetchone() == ("u",)


def test_a_corrected_file_closes_the_exceptions_it_resolves(lan, frozen_now):
    record("vnpt", "V-AMOUNT", 30000, at(DAY, 9), vendor=lan)
    import_vnpt(DAY, vnpt_line("V-AMOUNT", 31000, at(DAY, 9)))
    run()
    exception = ReconciliationException.objects.get()

    import_vnpt(DAY, vnpt_line("V-AMOUNT", 30000, at(DAY, 9)))
    run()

    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.AUTO_RESOLVED
    assert exception.resolution_note.startswith("Tự động đóng")
    assert ReconciliationException.objects.count() == 1


def test_a_later_reversal_webhook_closes_the_status_difference(lan, frozen_now, django_capture_on_commit_callbacks):
    created = at(DAY, 9)
    record("mobifone", "MBF-1", 30000, created, vendor=lan)
    content = (
        "H|MOBIFONE MONEY|20261120|CT4VMBF\n"
        f"D|MBF-1|REVERSED|20261120090000|0901234567|30000|0|{lan.payment_reference} Thanh toan\n"
        "T|1|0\n"
    ).encode()
    services.settlement_file_import(actor=None, file_name="MBF_20261120.txt", content=content, channel="command")
    run(partner="mobifone")
    exception = ReconciliationException.objects.get()
    assert exception.kind == "status_differs"

    with django_capture_on_commit_callbacks(execute=True):
        record("mobifone", "MBF-1", 30000, created, vendor=lan, status="reversed", updated_at=at(DAY, 10))

    exception.refresh_from_db()
    assert Transaction.objects.get(partner_transaction_id="MBF-1").status == "reversed"
    assert exception.status == ExceptionStatus.AUTO_RESOLVED


def test_a_day_without_a_file_is_itself_reported_and_closed_when_the_file_comes(lan, frozen_now):
    record("vnpt", "V1", 45000, at(DAY, 8), vendor=lan)

    missing = run()

    assert missing.status == "missing_file"
    exception = ReconciliationException.objects.get()
    assert exception.kind == "missing_file" and "VNPT_SETTLEMENT_20261120.csv" in exception.explanation

    import_vnpt(DAY, vnpt_line("V1", 45000, at(DAY, 8)))
    done = run()

    exception.refresh_from_db()
    assert done.status == "done" and exception.status == ExceptionStatus.AUTO_RESOLVED


def test_resolving_keeps_the_note_and_is_audited(lan, frozen_now, operator):
    record("vnpt", "V-AMOUNT", 30000, at(DAY, 9), vendor=lan)
    import_vnpt(DAY, vnpt_line("V-AMOUNT", 31000, at(DAY, 9)))
    run()
    exception = ReconciliationException.objects.get()

    services.exception_resolve(actor=operator, exception=exception, note="VNPT xác nhận đã điều chỉnh 1.000 ₫")
    run()

    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.RESOLVED and exception.resolved_by == operator
    assert exception.resolution_note == "VNPT xác nhận đã điều chỉnh 1.000 ₫"
    entry = AuditEntry.objects.get(action="reconciliation_exception.resolve")
    assert entry.actor == operator and entry.note == exception.resolution_note and entry.market == lan.market
