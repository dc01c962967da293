"""An import job that breaks, wherever it breaks, ends failed with a reason
the clerk can read on the import page, and writes nothing."""

import io
import logging

import pytest
from kombu.exceptions import OperationalError

from core.models import AuditEntry
from merchants import import_jobs, imports, services
from merchants.models import ImportJob, PaymentCode, Vendor, WalletAccount
from tests.merchants.sheets import GOOD_1, GOOD_2, HEADER, csv_bytes

pytestmark = pytest.mark.django_db

# What a failure's message might quote from the sheet: a phone and a CCCD number.
PERSONAL = ("0901234567", "092080000111")
UNEXPECTED = "Lỗi hệ thống khi xử lý tệp, việc nhập chưa xong"


def _upload(client, market, *, confirm: bool, capture):
    file = io.BytesIO(csv_bytes([HEADER, GOOD_1, GOOD_2]))
    file.name = "tieuthuong.csv"
    with capture(execute=True):
        response = client.post(
            "/vendors/import/", {"market": market.code, "confirm": "1" if confirm else "0", "file": file}
        )
    assert response.status_code == 302, response.content
    return client.get(response["Location"]).content.decode()


def _broken(*args, **kwargs):
    raise RuntimeError(f"row 2: {PERSONAL[0]} / {PERSONAL[1]}")


@pytest.mark.parametrize(
    ("target", "name", "confirm"),
    [
        (imports, "_parse", False),  # reading the sheet
        (imports, "_plan", False),  # planning against the market
        (services, "_new_code", True),  # writing, after the vendors' insert
    ],
)
def test_an_unexpected_error_fails_the_job_with_a_reason_and_no_trace(
    client, board_a, market_a, django_capture_on_commit_callbacks, monkeypatch, caplog, target, name, confirm
):
    monkeypatch.setattr(target, name, _broken)
    client.force_login(board_a)

    with caplog.at_level(logging.ERROR, logger="merchants.import_jobs"):
        page = _upload(client, market_a, confirm=confirm, capture=django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert job.state == "failed" and job.finished_at is not None
    assert job.error.startswith(UNEXPECTED)
    assert UNEXPECTED in page and 'role="alert"' in page
    for leaked in ("Traceback", "RuntimeError", "row 2", *PERSONAL):
        assert leaked not in page
        assert leaked not in job.error
    assert (Vendor.objects.count(), WalletAccount.objects.count(), PaymentCode.objects.count()) == (0, 0, 0)
    assert not AuditEntry.objects.exists()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"import job {job.pk} failed with RuntimeError" in logged and name in logged
    assert not any(number in logged for number in PERSONAL)


def test_a_job_the_broker_refuses_fails_instead_of_waiting_for_ever(
    client, board_a, market_a, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(job_id: int) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(import_jobs.run_import_job, "delay", refuse)
    client.force_login(board_a)

    page = _upload(client, market_a, confirm=True, capture=django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert job.state == "failed"
    assert "Chưa gửi được tệp tới bộ xử lý" in page
    assert "6379" not in page and "Connection refused" not in page
    assert not Vendor.objects.exists()


def test_a_bad_file_still_fails_with_its_own_reason(board_a, market_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_jobs.import_job_start(
            actor=board_a, market=market_a, filename="a.csv", content=b"\xff\xfe\x00bad", dry_run=True
        )

    job.refresh_from_db()
    assert job.state == "failed"
    assert "UTF-8" in job.error and UNEXPECTED not in job.error


def test_a_failed_dry_run_cannot_be_confirmed(
    client, board_a, market_a, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(imports, "_plan", _broken)
    client.force_login(board_a)
    _upload(client, market_a, confirm=False, capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()

    page = client.post(f"/vendors/import/{job.pk}/confirm/", follow=True).content.decode()

    assert "Chỉ xác nhận được một lần chạy thử đã xong" in page
    assert ImportJob.objects.count() == 1
