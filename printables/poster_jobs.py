"""Poster batches drawn by a worker: a market's posters in one PDF, with
progress on the batch while it is drawn. `services.poster_batch_request`
queues them."""

import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from core import clock
from printables import posters, selectors
from printables.models import BatchState, PosterBatch

log = logging.getLogger(__name__)

PROGRESS_EVERY = 20


@shared_task(name="printables.render_poster_batch")
def render_poster_batch(batch_id: int) -> None:
    poster_batch_render(batch_id=batch_id)


def poster_batch_render(*, batch_id: int) -> None:
    """Draw a queued batch. Claimed with a conditional update: one worker per batch."""
    now = clock.now()
    claimed = PosterBatch.objects.filter(pk=batch_id, state=BatchState.QUEUED).update(
        state=BatchState.RUNNING, updated_at=now
    )
    if not claimed:
        return
    batch = PosterBatch.objects.select_related("market").get(pk=batch_id)
    try:
        items = selectors.market_posters(batch.market)
        if selectors.posters_fingerprint(items, layout=batch.layout) != batch.fingerprint:
            _fail(batch, _("Mã QR của chợ đã thay đổi trong lúc tạo tệp; vui lòng yêu cầu lại"))
            return
        PosterBatch.objects.filter(pk=batch_id).update(total=len(items))

        def progress(done: int) -> None:
            if done % PROGRESS_EVERY == 0:
                PosterBatch.objects.filter(pk=batch_id).update(done=done, updated_at=clock.now())

        pdf = posters.render(items, layout=batch.layout, title=batch.market.name, progress=progress)
        name = f"{batch.market.code}-{batch.layout}-{batch.fingerprint[:16]}.pdf"
        batch.file.save(name, ContentFile(pdf), save=False)
        finished = clock.now()
        PosterBatch.objects.filter(pk=batch_id).update(
            file=batch.file.name, state=BatchState.DONE, done=len(items), updated_at=finished, finished_at=finished
        )
    except Exception:
        log.exception("poster batch %s failed", batch_id)
        _fail(batch, _("Không tạo được tệp áp phích; vui lòng thử lại"))
        return
    _drop_superseded_files(batch)


def _fail(batch: PosterBatch, reason: str) -> None:
    PosterBatch.objects.filter(pk=batch.pk).update(state=BatchState.FAILED, error=reason, updated_at=clock.now())


def _drop_superseded_files(batch: PosterBatch) -> None:
    """Files of the market's older contents are never served again."""
    stale = PosterBatch.objects.filter(market=batch.market, layout=batch.layout).exclude(pk=batch.pk).exclude(file="")
    for old in stale:
        old.file.delete(save=False)
        PosterBatch.objects.filter(pk=old.pk).update(file="")
