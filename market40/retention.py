"""The nightly retention pass over every app (docs/operations.md, "Retention"):
old webhook bodies redacted (payments/retention.py), vendors who left long
enough ago anonymised and old vendor sheets emptied (merchants/retention.py), and the count of
transactions past the accounting period, for the operator to archive; the
delivery log's partitions (payments/partitions.py): the current and next
months created ahead of time, and whole months that ended before the
accounting period detached for the operator to archive and drop.
`manage.py apply_retention --dry-run` reports the same without a change."""

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.conf import settings

from core import clock
from merchants import retention as vendors
from payments import partitions
from payments import retention as deliveries


@dataclass
class RetentionReport:
    dry_run: bool
    webhook_bodies_before: str
    webhook_bodies: int
    vendors_left_before: str
    vendors: list[str] = field(default_factory=list)
    accounting_records_before: str = ""
    transactions_past_accounting_period: int = 0
    import_files: int = 0
    delivery_partitions_created: list[str] = field(default_factory=list)
    delivery_partitions_detached: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def retention_apply(*, dry_run: bool) -> RetentionReport:
    due_vendors = list(vendors.due())
    report = RetentionReport(
        dry_run=dry_run,
        webhook_bodies_before=deliveries.redaction_cutoff().isoformat(),
        webhook_bodies=deliveries.deliveries_due() if dry_run else 0,
        vendors_left_before=clock.business_date(
            clock.now() - dt.timedelta(days=settings.VENDOR_ANONYMISE_AFTER_DAYS)
        ).isoformat(),
        vendors=[vendor.code for vendor in due_vendors],
        accounting_records_before=deliveries.accounting_cutoff().isoformat(),
        transactions_past_accounting_period=deliveries.transactions_past_accounting_period(),
        import_files=vendors.import_files_due().count() if dry_run else 0,
    )
    if dry_run:
        report.delivery_partitions_created = partitions.months_ahead_due()
        report.delivery_partitions_detached = partitions.months_past_due(deliveries.accounting_cutoff())
    else:
        report.delivery_partitions_created = partitions.months_ahead_create()
        report.delivery_partitions_detached = partitions.months_detach(deliveries.accounting_cutoff())
        report.webhook_bodies = deliveries.deliveries_redact()
        report.import_files = vendors.import_files_clear()
        for vendor in due_vendors:
            vendors.vendor_anonymise(actor=None, vendor=vendor)
    return report
