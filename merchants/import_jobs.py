"""Spreadsheet imports run by a worker, so a long one shows its progress and
the clerk can leave the page and come back.

A job is queued after its row commits and claimed by one worker. It ends
DONE with its report or FAILED with a reason the clerk can read on the
import page, whatever went wrong: it never stays running.
"""

import logging
import traceback

from celery import shared_task
from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.access import require_market_write
from core.actors import Actor
from core.errors import Conflict, DomainError, ValidationFailed
from merchants import imports
from merchants.models import ImportJob, ImportState, Market

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 20 * 1024 * 1024


def import_job_start(*, actor: Actor, market: Market, filename: str, content: bytes, dry_run: bool) -> ImportJob:
    """Queue an import; the worker reports progress on the job as it goes."""
    person = require_market_write(actor, market)
    if not content:
        raise ValidationFailed.single("file", _("Vui lòng chọn tệp XLSX hoặc CSV"))
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationFailed.single("file", _("Tệp lớn quá 20 MB; hãy chia nhỏ"))
    with transaction.atomic():
        job = ImportJob.objects.create(
            market=market,
            actor=person,
            filename=filename[:200],
            content=content,
            dry_run=dry_run,
            created_at=clock.now(),
        )
        transaction.on_commit(lambda: _send(job.pk))
    return job


def import_job_confirm(*, actor: Actor, job: ImportJob) -> ImportJob:
    """Import for real the file a dry run checked, without uploading it again.

    Only a finished dry run can be confirmed: confirming a real import (or one
    still running, or failed) would import the file a second time."""
    if not job.dry_run or job.state != ImportState.DONE:
        raise Conflict.single("job", _("Chỉ xác nhận được một lần chạy thử đã xong"))
    if not job.content:
        raise Conflict.single(
            "job",
            _("Tệp của lần chạy thử này đã được xoá theo thời hạn lưu giữ dữ liệu cá nhân; vui lòng tải tệp lên lại"),
        )
    return import_job_start(
        actor=actor, market=job.market, filename=job.filename, content=bytes(job.content), dry_run=False
    )


def _send(job_id: int) -> None:
    try:
        run_import_job.delay(job_id)
    except Exception as exc:  # noqa: BLE001 — a broker that refuses the job must not leave it queued for ever
        _log_failure(job_id, exc)
        _fail(job_id, _("Chưa gửi được tệp tới bộ xử lý; vui lòng thử lại sau ít phút."))


def import_job_run(*, job_id: int) -> None:
    """Claim the job (only one worker may) and run the import."""
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportState.QUEUED).update(state=ImportState.RUNNING)
    if not claimed:
        return

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(done_rows=done, total_rows=total)

    try:
        job = ImportJob.objects.select_related("market", "actor").get(pk=job_id)
        report = imports.vendor_import(
            actor=job.actor,
            market=job.market,
            filename=job.filename,
            content=bytes(job.content),
            dry_run=job.dry_run,
            progress=progress,
        )
        ImportJob.objects.filter(pk=job_id).update(
            state=ImportState.DONE,
            report=report,
            done_rows=report["total_rows"],
            total_rows=report["total_rows"],
            finished_at=clock.now(),
        )
    except DomainError as exc:
        _fail(job_id, exc.summary)
    except Exception as exc:  # noqa: BLE001 — any failure ends the job, with a reason the clerk can act on
        _log_failure(job_id, exc)
        _fail(
            job_id,
            _(
                "Lỗi hệ thống khi xử lý tệp, việc nhập chưa xong. Có thể gửi lại đúng tệp này: dòng nào đã "
                "nhập sẽ không bị thêm trùng. Nếu lỗi lặp lại, hãy báo cán bộ vận hành."
            ),
        )


def _fail(job_id: int, reason: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(state=ImportState.FAILED, error=reason, finished_at=clock.now())


def _log_failure(job_id: int, exc: Exception) -> None:
    # The frames say where it broke; the message is left out, because a
    # database or parsing error can quote a cell (a phone or a CCCD number).
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("import job %s failed with %s\n%s", job_id, type(exc).__qualname__, frames)


@shared_task(name="merchants.run_import_job")
def run_import_job(job_id: int) -> None:
    import_job_run(job_id=job_id)
