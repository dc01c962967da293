"""A vendor who left keeps their figures and loses their personal data;
an uploaded vendor sheet is emptied once its import is long done.

VENDOR_ANONYMISE_AFTER_DAYS after a vendor was closed, their name, trade
name, phone number and CCCD are removed from the vendor row and from the
audit rows that recorded them. Their code, market, stall, category, wallet
accounts and every transaction stay, so the market's takings and the
adoption figures do not move. Each anonymisation is itself audited (which
fields, how many audit rows were cleaned), without the values it removed.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet
from django.db.models.functions import Cast

from core import audit, clock
from core.actors import Actor
from core.models import AuditEntry
from merchants.models import ImportJob, ImportState, Vendor, VendorStatus

REMOVED = "[đã ẩn danh]"
ANONYMOUS_NAME = "Tiểu thương đã nghỉ (đã ẩn danh)"
PERSONAL_FIELDS = ("full_name", "trade_name", "phone", "national_id")
VENDOR_TYPE = Vendor._meta.label_lower


def left_before(cutoff: dt.datetime) -> QuerySet[Vendor]:
    """Closed vendors, not yet anonymised, whose closing is older than `cutoff`
    (the audit row of the status change says when)."""
    closed_early = AuditEntry.objects.filter(
        object_type=VENDOR_TYPE,
        object_id=OuterRef("pk_text"),
        action="vendor.status",
        after__status=VendorStatus.CLOSED,
        at__lt=cutoff,
    )
    return (
        Vendor.objects.filter(status=VendorStatus.CLOSED, anonymised_at__isnull=True)
        .annotate(pk_text=Cast("pk", CharField()))
        .filter(Exists(closed_early.values("pk")))
        .order_by("pk")
    )


def due() -> QuerySet[Vendor]:
    return left_before(clock.now() - dt.timedelta(days=settings.VENDOR_ANONYMISE_AFTER_DAYS))


def vendor_anonymise(*, actor: Actor, vendor: Vendor) -> Vendor:
    """Remove one closed vendor's personal data, in one transaction, audited."""
    with transaction.atomic():
        vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
        if vendor.anonymised_at is not None:
            return vendor
        now = clock.now()
        Vendor.objects.filter(pk=vendor.pk).update(
            full_name=ANONYMOUS_NAME, trade_name="", phone="", national_id="", anonymised_at=now
        )
        cleaned = 0
        for entry in AuditEntry.objects.filter(object_type=VENDOR_TYPE, object_id=str(vendor.pk)).only(
            "id", "before", "after"
        ):
            before, after = _scrubbed(entry.before), _scrubbed(entry.after)
            if (before, after) != (entry.before, entry.after):
                # The audit log is append-only to people; the law's deletion is the one update it gets.
                AuditEntry.objects.filter(pk=entry.pk).update(before=before, after=after)
                cleaned += 1
        audit.record(
            actor=actor,
            action="vendor.anonymise",
            obj=vendor,
            before=None,
            after={"fields": list(PERSONAL_FIELDS), "audit_entries_cleaned": cleaned},
            market=vendor.market,
            note=f"VENDOR_ANONYMISE_AFTER_DAYS={settings.VENDOR_ANONYMISE_AFTER_DAYS}",
        )
        vendor.refresh_from_db()
    return vendor


def _scrubbed(state: Any) -> Any:
    if not isinstance(state, dict):
        return state
    return {key: (REMOVED if key in PERSONAL_FIELDS and value else value) for key, value in state.items()}


def import_files_due() -> QuerySet[ImportJob]:
    """Finished import jobs older than IMPORT_FILE_RETENTION_DAYS that still
    hold their sheet: names, phone numbers and CCCDs of a whole market."""
    cutoff = clock.now() - dt.timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    finished = (ImportState.DONE, ImportState.FAILED)
    return ImportJob.objects.filter(created_at__lt=cutoff, state__in=finished).exclude(content=b"")


def import_files_clear() -> int:
    """Empty those sheets; the job, its counts and its report stay."""
    return import_files_due().update(content=b"")
