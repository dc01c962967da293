"""Personal data kept no longer than needed: old webhook bodies redacted with
a hash of the original, replay of a redacted delivery refused with a reason,
a vendor who left anonymised with their figures kept, every step audited,
a dry run that changes nothing, and a vendor's own data in one file."""

import datetime as dt
import hashlib
import json

import pytest
from django.core.management import call_command

from core import clock
from core.models import AuditEntry
from market40.celery import app as celery_app
from merchants import services as merchants_services
from merchants.models import Vendor
from payments import selectors as payments_selectors
from payments.models import Transaction, WebhookDelivery
from tests.reconciliation.kit import lan, record  # noqa: F401 — lan is a fixture

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=clock.BUSINESS_TZ)


@pytest.fixture
def at(monkeypatch):
    """Move the clock: at(days_ago) sets it, at() back to NOW."""

    def move(days_ago: float = 0) -> dt.datetime:
        moment = NOW - dt.timedelta(days=days_ago)
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment

    move()
    return move


def retention(*args: str) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return json.loads(out.getvalue())


def payment(partner: str, txn_id: str, vendor, when: dt.datetime) -> WebhookDelivery:
    record(partner, txn_id, 45000, when, vendor=vendor)
    return WebhookDelivery.objects.get(partner_transaction_id=txn_id)


# --- webhook bodies -----------------------------------------------------------------------


def test_bodies_past_the_period_lose_the_payers_data_and_keep_a_hash(at, lan):
    old_vnpt = payment("vnpt", "VNPT-OLD-1", lan, at(91))
    old_mobifone = payment("mobifone", "MBF-OLD-1", lan, at(91))
    recent = payment("vnpt", "VNPT-NEW-1", lan, at(89))
    originals = {row.pk: bytes(row.body) for row in (old_vnpt, old_mobifone, recent)}
    money = list(Transaction.objects.order_by("pk").values_list("partner_transaction_id", "amount", "vendor", "status"))
    at()

    report = retention()

    assert (report["dry_run"], report["webhook_bodies"]) == (False, 2)
    for old in (old_vnpt, old_mobifone):
        row = WebhookDelivery.objects.get(pk=old.pk)
        assert row.redacted_at == NOW
        assert row.body_sha256 == hashlib.sha256(originals[old.pk]).hexdigest()
        text = row.body_text
        assert "[đã xoá]" in text and json.loads(text)
        assert b"NGUYEN" in originals[old.pk] or b"name" in originals[old.pk]
        for personal in ("NGUYEN", "TRAN THI", "****", "Nguyễn Thị Lan"):
            assert personal not in text
        # What the money needs is still there.
        assert json.loads(text)["data"].get("amount") in (45000, "45000")
    assert json.loads(WebhookDelivery.objects.get(pk=old_vnpt.pk).body_text)["data"]["payer"] == {
        "name": "[đã xoá]",
        "account_masked": "[đã xoá]",
    }
    fresh = WebhookDelivery.objects.get(pk=recent.pk)
    assert (bytes(fresh.body), fresh.redacted_at, fresh.body_sha256) == (originals[recent.pk], None, "")
    assert (
        list(Transaction.objects.order_by("pk").values_list("partner_transaction_id", "amount", "vendor", "status"))
        == money
    )
    assert retention()["webhook_bodies"] == 0  # done once


def test_the_period_is_a_setting(at, lan, settings):
    old = payment("vnpt", "VNPT-OLD-2", lan, at(31))
    at()
    assert retention()["webhook_bodies"] == 0

    settings.WEBHOOK_BODY_RETENTION_DAYS = 30

    assert retention()["webhook_bodies"] == 1
    assert WebhookDelivery.objects.get(pk=old.pk).redacted_at is not None


def test_a_dry_run_reports_and_changes_nothing(at, lan, operator):
    old = payment("vnpt", "VNPT-OLD-3", lan, at(400))
    merchants_services.vendor_change_status(actor=operator, vendor=lan, status="closed", reason="Nghỉ bán")
    at()
    body = bytes(WebhookDelivery.objects.get(pk=old.pk).body)
    audit_rows = AuditEntry.objects.count()

    report = retention("--dry-run")

    assert report["dry_run"] is True
    assert report["webhook_bodies"] == 1
    assert report["vendors"] == [lan.code]
    assert report["accounting_records_before"] == "2016-12-04"
    assert bytes(WebhookDelivery.objects.get(pk=old.pk).body) == body
    assert Vendor.objects.get(pk=lan.pk).full_name == "Nguyễn Thị Lan"
    assert AuditEntry.objects.count() == audit_rows


def test_replaying_a_redacted_delivery_is_refused_with_the_reason(at, lan, operator, api_for):
    old = payment("vnpt", "VNPT-OLD-4", lan, at(91))
    at()
    retention()

    response = api_for(operator).post(f"/api/v1/webhook-deliveries/{old.pk}/replay")

    assert response.status_code == 422, response.content
    reason = response.json()["errors"]["delivery"][0]
    assert "đã được xoá dữ liệu cá nhân ngày 04/12/2026" in reason and "không thể chạy lại" in reason
    assert WebhookDelivery.objects.count() == 1


def test_a_recent_delivery_still_replays(at, lan, operator, api_for):
    recent = payment("vnpt", "VNPT-NEW-5", lan, at(0))
    retention()

    response = api_for(operator).post(f"/api/v1/webhook-deliveries/{recent.pk}/replay")

    assert response.status_code == 200, response.content
    assert response.json()["verdict"] == "duplicate"


# --- vendors who left ----------------------------------------------------------------------


def test_a_vendor_who_left_is_anonymised_after_the_period_and_the_figures_stay(at, lan, operator, market_a):
    day = at(400)
    record("vnpt", "VNPT-LAN-1", 45000, day, vendor=lan)
    record("viettel", "VT-LAN-2", 120000, day, vendor=lan)
    at(370)
    merchants_services.vendor_change_status(actor=operator, vendor=lan, status="closed", reason="Chuyển chợ khác")
    at()
    before = payments_selectors.market_takings(market_a, day.date())

    report = retention()

    assert report["vendors"] == [lan.code]
    vendor = Vendor.objects.get(pk=lan.pk)
    assert (vendor.full_name, vendor.phone, vendor.national_id, vendor.anonymised_at) == (
        "Tiểu thương đã nghỉ (đã ẩn danh)",
        "",
        "",
        NOW,
    )
    assert (vendor.code, vendor.stall_number, vendor.market, vendor.status) == (
        lan.code,
        lan.stall_number,
        market_a,
        "closed",
    )
    assert payments_selectors.market_takings(market_a, day.date()) == before
    assert before.gross == 165000
    assert Transaction.objects.filter(vendor=vendor).count() == 2
    history = json.dumps(
        list(
            AuditEntry.objects.filter(object_id=str(lan.pk), object_type="merchants.vendor").values("before", "after")
        ),
        ensure_ascii=False,
    )
    for personal in ("Nguyễn Thị Lan", "0912345678", "092186000123"):
        assert personal not in history
    step = AuditEntry.objects.get(action="vendor.anonymise")
    assert step.after["fields"] == ["full_name", "trade_name", "phone", "national_id"]
    assert step.after["audit_entries_cleaned"] >= 1
    assert retention()["vendors"] == []


def test_a_vendor_closed_recently_keeps_their_data(at, lan, operator):
    at(100)
    merchants_services.vendor_change_status(actor=operator, vendor=lan, status="closed", reason="Nghỉ bán")
    at()

    assert retention()["vendors"] == []
    assert Vendor.objects.get(pk=lan.pk).full_name == "Nguyễn Thị Lan"


def test_an_active_vendor_is_never_anonymised(at, lan):
    assert retention()["vendors"] == []
    assert Vendor.objects.get(pk=lan.pk).anonymised_at is None


# --- a vendor's own data -----------------------------------------------------------------


def test_an_operator_exports_everything_about_one_vendor_in_one_file(at, lan, operator, tmp_path):
    record("vnpt", "VNPT-LAN-9", 45000, at(1), vendor=lan)
    at()
    out = tmp_path / "lan.json"

    call_command("export_vendor_data", lan.code, "--operator", operator.username, "--out", str(out))

    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["format"] == "cho40-vendor-data/1"
    assert (document["vendor"]["full_name"], document["vendor"]["phone"], document["vendor"]["national_id"]) == (
        "Nguyễn Thị Lan",
        "0912345678",
        "092186000123",
    )
    assert [row["partner"] for row in document["wallet_accounts"]] == ["vnpt", "viettel", "mobifone"]
    assert [row["partner_transaction_id"] for row in document["transactions"]] == ["VNPT-LAN-9"]
    assert document["payment_codes"] and document["history"]
    logged = AuditEntry.objects.get(action="vendor.data_export")
    assert (logged.actor, logged.object_id, logged.after["file"]) == (operator, str(lan.pk), "lan.json")
    assert logged.after["counts"]["transactions"] == 1
    assert "0912345678" not in json.dumps(logged.after)


def test_only_an_operator_exports_a_vendors_data(lan, board_a, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="vận hành"):
        call_command("export_vendor_data", lan.code, "--operator", board_a.username, "--out", str(tmp_path / "x.json"))
    assert not (tmp_path / "x.json").exists()
    assert not AuditEntry.objects.filter(action="vendor.data_export").exists()


def test_the_retention_pass_runs_every_night():
    entry = celery_app.conf.beat_schedule["retention-nightly"]
    assert entry["task"] == "market40.apply_retention"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {30})


# --- uploaded vendor sheets --------------------------------------------------------------------


def test_an_old_vendor_sheet_is_emptied_and_its_dry_run_can_no_longer_be_confirmed(
    at, board_a, market_a, django_capture_on_commit_callbacks
):
    from merchants import import_jobs
    from merchants.models import ImportJob
    from tests.merchants.sheets import GOOD_1, HEADER, csv_bytes

    at(31)
    with django_capture_on_commit_callbacks(execute=True):
        old = import_jobs.import_job_start(
            actor=board_a, market=market_a, filename="bql.csv", content=csv_bytes([HEADER, GOOD_1]), dry_run=True
        )
    at(29)
    with django_capture_on_commit_callbacks(execute=True):
        recent = import_jobs.import_job_start(
            actor=board_a, market=market_a, filename="bql2.csv", content=csv_bytes([HEADER, GOOD_1]), dry_run=True
        )
    at()
    assert ImportJob.objects.get(pk=old.pk).state == "done"

    assert retention("--dry-run")["import_files"] == 1
    assert bytes(ImportJob.objects.get(pk=old.pk).content)
    assert retention()["import_files"] == 1

    emptied = ImportJob.objects.get(pk=old.pk)
    assert bytes(emptied.content) == b"" and emptied.report["total_rows"] == 1
    assert bytes(ImportJob.objects.get(pk=recent.pk).content)
    from core.errors import Conflict

    with pytest.raises(Conflict) as refused:
        import_jobs.import_job_confirm(actor=board_a, job=emptied)
    assert "đã được xoá theo thời hạn lưu giữ" in str(refused.value.errors["job"][0])
    assert ImportJob.objects.count() == 2
