"""`reconcile` and `make_settlement` from the command line, the inbox, and
the nightly schedule."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from market40.celery import app as celery_app
from market40.env import env_time
from reconciliation import services, tasks
from reconciliation.models import ReconciliationException, ReconciliationRun, SettlementFile
from reconciliation.schedule import beat_schedule
from tests.reconciliation.kit import DAY, VNPT_HEADER, at, record

pytestmark = pytest.mark.django_db


def command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def day_of_takings(lan, frozen_now):
    for number in range(12):
        record("vnpt", f"VNPT26112000{number:05d}", 10000 + number * 1000, at(DAY, 7, number), vendor=lan)


def test_make_settlement_with_planted_differences_then_reconcile(day_of_takings, tmp_path):
    made = json.loads(
        command(
            "make_settlement",
            "--partner",
            "vnpt",
            "--date",
            "2026-11-20",
            "--out",
            str(tmp_path),
            "--plant",
            "amount=2",
            "--plant",
            "duplicate",
            "--plant",
            "extra",
            "--plant",
            "status",
        )
    )
    path = tmp_path / "VNPT_SETTLEMENT_20261120.csv"
    assert made["file"] == str(path) and made["lines"] == 14

    summary = json.loads(command("reconcile", "--partner", "vnpt", "--date", "2026-11-20", "--file", str(path)))

    counts = {name: outcome["count"] for name, outcome in summary["outcomes"].items() if outcome["count"]}
    assert counts == {"matched": 9, "amount_differs": 2, "status_differs": 1, "duplicate_line": 1, "not_recorded": 1}
    kinds = sorted(ReconciliationException.objects.values_list("kind", flat=True))
    assert kinds == ["amount_differs", "amount_differs", "duplicate_line", "not_recorded", "status_differs"]
    planted_amount = set(made["planted"]["amount"])
    assert (
        set(ReconciliationException.objects.filter(kind="amount_differs").values_list("partner_txn_id", flat=True))
        == planted_amount
    )
    assert summary["outcomes"]["amount_differs"]["total"] == sum(
        e.file_amount for e in ReconciliationException.objects.filter(kind="amount_differs")
    )


def test_a_planted_missing_line_is_reported_after_the_next_days_file(day_of_takings, tmp_path):
    command(
        "make_settlement", "--partner", "vnpt", "--date", "2026-11-20", "--out", str(tmp_path), "--plant", "missing"
    )
    command("make_settlement", "--partner", "vnpt", "--date", "2026-11-21", "--out", str(tmp_path))
    first = json.loads(
        command(
            "reconcile",
            "--partner",
            "vnpt",
            "--date",
            "2026-11-20",
            "--file",
            str(tmp_path / "VNPT_SETTLEMENT_20261120.csv"),
        )
    )
    assert first["awaiting_next_file"] == 1 and first["exceptions"] == 0

    command(
        "reconcile",
        "--partner",
        "vnpt",
        "--date",
        "2026-11-21",
        "--file",
        str(tmp_path / "VNPT_SETTLEMENT_20261121.csv"),
    )

    assert list(ReconciliationException.objects.values_list("kind", flat=True)) == ["not_in_file"]


def test_make_settlement_writes_each_partner_format(lan, frozen_now, tmp_path):
    record("viettel", "VT1", 45000, at(DAY, 8), vendor=lan)
    record("mobifone", "MBF1", 30000, at(DAY, 9), vendor=lan)
    for partner, name in (("viettel", "VIETTEL_DOISOAT_20261120.xlsx"), ("mobifone", "MBF_20261120.txt")):
        command("make_settlement", "--partner", partner, "--date", "2026-11-20", "--out", str(tmp_path))
        summary = json.loads(
            command("reconcile", "--partner", partner, "--date", "2026-11-20", "--file", str(tmp_path / name))
        )
        assert summary["outcomes"]["matched"]["count"] == 1 and summary["exceptions"] == 0


def test_reconcile_refuses_a_bad_file_and_names_the_problem(lan, frozen_now, tmp_path):
    path = tmp_path / "VNPT_SETTLEMENT_20261120.csv"
    path.write_text("transaction_id,type\n")
    with pytest.raises(CommandError, match="header"):
        command("reconcile", "--partner", "vnpt", "--date", "2026-11-20", "--file", str(path))
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        command("reconcile", "--partner", "vnpt", "--date", "20/11/2026")
    assert not SettlementFile.objects.exists()


def test_nightly_task_picks_the_file_from_the_inbox(day_of_takings, settings, tmp_path, monkeypatch):
    settings.SETTLEMENT_INBOX = tmp_path
    (tmp_path / "vnpt").mkdir()
    command("make_settlement", "--partner", "vnpt", "--date", "2026-11-20", "--out", str(tmp_path / "vnpt"))
    monkeypatch.setattr("core.clock.now", lambda: at(DAY + dt.timedelta(days=1), 2, 0))

    tasks.reconcile_yesterday("vnpt")

    run = ReconciliationRun.objects.get(partner="vnpt", business_date=DAY)
    assert run.status == "done" and run.outcomes["matched"]["count"] == 12
    assert (tmp_path / "vnpt" / "processed" / "VNPT_SETTLEMENT_20261120.csv").exists()
    assert not (tmp_path / "vnpt" / "VNPT_SETTLEMENT_20261120.csv").exists()


def test_a_file_imported_by_a_killed_task_is_run_by_the_next_one(day_of_takings, settings, tmp_path, monkeypatch):
    settings.SETTLEMENT_INBOX = tmp_path
    inbox = tmp_path / "vnpt"
    inbox.mkdir()
    command("make_settlement", "--partner", "vnpt", "--date", "2026-11-20", "--out", str(inbox))
    (inbox / "VNPT_SETTLEMENT_20261121.csv").write_text(VNPT_HEADER)
    # What a worker killed after its imports committed leaves: both files in, no run;
    # the first file already moved out of the inbox, the second still in it.
    inbox_files = sorted(inbox.iterdir())
    for path in inbox_files:
        services.settlement_file_import(actor=None, file_name=path.name, content=path.read_bytes(), channel="inbox")
    inbox_files[0].unlink()
    monkeypatch.setattr("core.clock.now", lambda: at(DAY + dt.timedelta(days=2), 2, 0))

    tasks.reconcile_yesterday("vnpt")

    runs = dict(ReconciliationRun.objects.filter(partner="vnpt").values_list("business_date", "status"))
    assert runs == {DAY: "done", DAY + dt.timedelta(days=1): "done"}
    assert ReconciliationRun.objects.get(business_date=DAY).outcomes["matched"]["count"] == 12
    assert SettlementFile.objects.count() == 2


def test_a_file_already_run_is_not_run_again_when_dropped_twice(day_of_takings, settings, tmp_path, monkeypatch):
    settings.SETTLEMENT_INBOX = tmp_path
    inbox = tmp_path / "vnpt"
    inbox.mkdir()
    command("make_settlement", "--partner", "vnpt", "--date", "2026-11-20", "--out", str(inbox))
    content = (inbox / "VNPT_SETTLEMENT_20261120.csv").read_bytes()
    monkeypatch.setattr("core.clock.now", lambda: at(DAY + dt.timedelta(days=1), 2, 0))
    tasks.reconcile_yesterday("vnpt")
    (inbox / "VNPT_SETTLEMENT_20261120.csv").write_bytes(content)
    monkeypatch.setattr("core.clock.now", lambda: at(DAY + dt.timedelta(days=3), 2, 0))

    tasks.reconcile_yesterday("vnpt")

    assert ReconciliationRun.objects.get(business_date=DAY).attempts == 1


def test_nightly_task_reports_a_missing_file(lan, settings, tmp_path, monkeypatch):
    settings.SETTLEMENT_INBOX = tmp_path
    monkeypatch.setattr("core.clock.now", lambda: at(DAY + dt.timedelta(days=1), 2, 0))

    tasks.reconcile_yesterday("viettel")

    run = ReconciliationRun.objects.get(partner="viettel", business_date=DAY)
    assert run.status == "missing_file"
    assert ReconciliationException.objects.get(run=run).kind == "missing_file"


def test_a_rejected_inbox_file_is_set_aside_with_its_reason(lan, settings, tmp_path):
    settings.SETTLEMENT_INBOX = tmp_path
    (tmp_path / "mobifone").mkdir()
    (tmp_path / "mobifone" / "MBF_20261120.txt").write_text("H|MOBIFONE MONEY|20261120|CT4VMBF\nT|1|0\n")

    tasks.reconcile_day("mobifone", "2026-11-20")

    reason = (tmp_path / "mobifone" / "rejected" / "MBF_20261120.txt.error.txt").read_text()
    assert "count" in reason and not SettlementFile.objects.exists()


def test_each_partner_runs_at_two_in_the_morning_by_default(monkeypatch, settings):
    schedule = celery_app.conf.beat_schedule
    for partner in ("vnpt", "viettel", "mobifone"):
        entry = schedule[f"reconciliation-nightly-{partner}"]
        assert entry["task"] == "reconciliation.reconcile_yesterday" and entry["args"] == (partner,)
        assert entry["schedule"].hour == {2} and entry["schedule"].minute == {0}
    assert celery_app.conf.timezone == "Asia/Ho_Chi_Minh"

    monkeypatch.setenv("RECONCILIATION_AT", "03:30")
    settings.RECONCILIATION_AT = env_time("RECONCILIATION_AT", "02:00")  # as market40/settings.py reads it
    moved = beat_schedule()["reconciliation-nightly-vnpt"]["schedule"]
    assert (moved.hour, moved.minute) == ({3}, {30})
    monkeypatch.setenv("RECONCILIATION_AT", "3h30")
    with pytest.raises(ImproperlyConfigured, match="RECONCILIATION_AT"):
        env_time("RECONCILIATION_AT", "02:00")


def test_demo_night_has_exceptions_of_each_kind_and_is_repeatable(lan, monkeypatch):
    from reconciliation.demo import make_demo_night

    today = DAY + dt.timedelta(days=1)
    monkeypatch.setattr("core.clock.now", lambda: at(DAY, 20))
    for back in (1, 0):
        day = DAY - dt.timedelta(days=back)
        for number in range(30):
            record("vnpt", f"VD{back}{number:04d}", 20000 + number, at(day, 8, number), vendor=lan)
    monkeypatch.setattr("core.clock.now", lambda: at(today, 1))

    counts = make_demo_night()
    again = make_demo_night()

    assert counts == again
    assert {kind for kind, n in counts.items() if n} == {
        "amount_differs",
        "status_differs",
        "not_recorded",
        "not_in_file",
        "duplicate_line",
    }
