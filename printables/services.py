"""Writes of the printables app: market poster batches, and the vendor's link.

A batch is a derived file, not business data: it changes nothing a person
could audit, so it records who asked but writes no audit row. Reissuing a
vendor's link is audited.
"""

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core import audit, clock
from core.access import require_market_write
from core.actors import Actor, recorded_user
from core.errors import Conflict, ValidationFailed
from merchants.models import Market, Vendor, VendorStatus
from printables import posters, selectors
from printables.links import LINK_CHANNEL
from printables.models import BatchState, PosterBatch, VendorLink
from printables.poster_jobs import render_poster_batch

# A queued or running batch untouched this long lost its worker: run it again.
STALE_AFTER = dt.timedelta(minutes=10)


def direct_render_limit() -> int:
    """Markets with at most this many posters are drawn in the request."""
    return settings.POSTER_DIRECT_LIMIT


def clean_layout(layout: str | None) -> str:
    layout = (layout or "a5").strip().lower()
    if layout not in posters.LAYOUTS:
        raise ValidationFailed.single("layout", _("Khổ in phải là “a5” hoặc “a4x2” (hai tờ A5 trên một tờ A4)"))
    return layout


def poster_batch_request(*, actor: Actor, market: Market, layout: str) -> PosterBatch:
    """The batch for the market's current posters: found, restarted or created and queued."""
    layout = clean_layout(layout)
    fingerprint = selectors.posters_fingerprint(selectors.market_posters(market), layout=layout)
    now = clock.now()
    with transaction.atomic():
        batch, created = PosterBatch.objects.get_or_create(
            market=market,
            layout=layout,
            fingerprint=fingerprint,
            defaults={
                "requested_by": recorded_user(actor),
                "created_at": now,
                "updated_at": now,
            },
        )
        queue = created
        if not created and _needs_restart(batch, now):
            # Conditional update: of two requests racing here, one restarts it.
            queue = (
                PosterBatch.objects.filter(pk=batch.pk, state=batch.state, updated_at=batch.updated_at).update(
                    state=BatchState.QUEUED, done=0, error="", updated_at=now, finished_at=None
                )
                == 1
            )
        if queue:
            batch_id = batch.pk
            transaction.on_commit(lambda: render_poster_batch.delay(batch_id))
    # Read once more: restarted above, or with tasks run in process (the
    # embedded default) already finished.
    batch.refresh_from_db()
    return batch


def _needs_restart(batch: PosterBatch, now: dt.datetime) -> bool:
    if batch.state == BatchState.FAILED:
        return True
    if batch.state == BatchState.DONE:
        return not (batch.file.name and batch.file.storage.exists(batch.file.name))
    return now - batch.updated_at > STALE_AFTER


def vendor_link_reissue(*, actor: Actor, vendor: Vendor) -> int:
    """Revoke the vendor's link and issue the next one (a lost phone, a link
    that reached the wrong person): every older link stops at once, and an
    open stall screen on one ends within a minute (at once when the stream
    hears this change's notification). Audited. Returns the new version."""
    require_market_write(actor, vendor.market)
    if vendor.status == VendorStatus.CLOSED:
        raise Conflict(_("Tiểu thương đã nghỉ: không có liên kết để cấp lại"))
    with transaction.atomic():
        link, _created = VendorLink.objects.select_for_update().get_or_create(vendor=vendor)
        before = link.version
        link.version = before + 1
        link.reissued_at = clock.now()
        link.save(update_fields=["version", "reissued_at"])
        audit.record(
            actor=actor,
            action="vendor_link.reissue",
            obj=vendor,
            before={"link_version": before},
            after={"link_version": link.version},
            market=vendor.market,
        )
        # Delivered at commit, and only if it commits.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [LINK_CHANNEL, str(vendor.pk)])
    return link.version
