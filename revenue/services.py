"""Handing out a revenue book: one row per document (what its verification
code confirms) and one audit row (who, when, which vendor and period), in
the same database transaction as the drawing, so a document that failed to
draw leaves neither."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from core import audit, clock
from core.actors import Actor, recorded_user
from merchants.models import Vendor
from revenue import codes, documents
from revenue.book import book_for
from revenue.models import Channel, DocumentFormat, RevenueDocument
from revenue.periods import Period

EXPORT_ACTION = "revenue.export"


def verify_url(code: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("revenue-verify") + f"?code={code}"


def revenue_document_issue(
    *, actor: Actor, vendor: Vendor, period: Period, format: str, channel: str
) -> tuple[RevenueDocument, bytes]:
    """The vendor's book for the period as a PDF or XLSX, recorded and audited.
    Access is the caller's to check: the vendor's link, their board or an operator."""
    DocumentFormat(format)
    Channel(channel)
    produced_at = clock.now()
    book = book_for(vendor, period, produced_at=produced_at)
    total = book.total
    with transaction.atomic():
        document = RevenueDocument.objects.create(
            code=codes.code_new(),
            vendor=vendor,
            period_key=period.key,
            first_day=period.first,
            last_day=period.last,
            payments_count=total.payments,
            payments_amount=total.gross,
            refunds_count=total.refunds,
            refunds_amount=total.refunded,
            produced_at=produced_at,
            produced_by=recorded_user(actor),
            channel=channel,
            format=format,
        )
        # Who and when, never the figures: the audit log is read more widely than revenue may be.
        audit.record(
            actor=actor,
            action=EXPORT_ACTION,
            obj=document,
            before=None,
            after={"vendor": vendor.code, "period": period.key, "format": format, "channel": channel},
            market=vendor.market,
        )
        render = documents.book_pdf if format == DocumentFormat.PDF else documents.book_xlsx
        content = render(book, code=document.code, verify_url=verify_url(document.code))
    return document, content
