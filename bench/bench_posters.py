"""Poster batch of a 500-vendor market, against reportlab's own QR widget.

Goals: at least 100 posters (A5 pages) a second, at least 5× the same
posters drawn with `reportlab.graphics.barcode.qr.QrCodeWidget` in the same
run, and one vendor's poster in under 50 ms. QR symbols are built cold: the
in-process symbol cache is cleared before every timed run.
"""

import statistics
import time

from bench.common import Row, scratch_database

VENDORS = 500
GOAL_PAGES_PER_SECOND = 100.0
GOAL_RATIO = 5.0
GOAL_SINGLE_MS = 50.0
# The widget needs ~0.25 s a poster; a sample keeps `make bench` short.
WIDGET_SAMPLE = 60

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"]
GIVEN = ["Thị Lan", "Văn Hùng", "Thị Cúc", "Minh Tâm", "Ngọc Ánh", "Hữu Lộc", "Thị Đào", "Quốc Dũng"]


def _make_market(market) -> None:
    """500 active vendors; VNPT and Viettel wallets each, MobiFone for every third."""
    from core import clock
    from merchants.models import CONSENT_TEXT_VERSION, PaymentCode, Vendor, VendorStatus, WalletAccount
    from merchants.references import new_payment_reference, new_vendor_code
    from merchants.services import payload_for

    now = clock.now()
    vendors = Vendor.objects.bulk_create(
        Vendor(
            code=new_vendor_code(),
            market=market,
            stall_number=f"K-{i:03d}",
            full_name=f"{FAMILY[i % 8]} {GIVEN[(i // 8) % 8]}",
            trade_name=f"Sạp {GIVEN[i % 8].split()[-1]} – hàng tươi mỗi ngày" if i % 2 else "",
            phone=f"09{i:08d}",
            national_id=f"092{i:09d}",
            category="rau-cu",
            status=VendorStatus.ACTIVE,
            payment_reference=new_payment_reference(),
            consent_version=CONSENT_TEXT_VERSION,
            consent_recorded_at=now,
        )
        for i in range(VENDORS)
    )
    accounts = WalletAccount.objects.bulk_create(
        WalletAccount(vendor=vendor, partner=partner, account_number=f"{prefix}{i:08d}")
        for i, vendor in enumerate(vendors)
        for partner, prefix in (("vnpt", "091"), ("viettel", "098"), ("mobifone", "090"))
        if partner != "mobifone" or i % 3 == 0
    )
    PaymentCode.objects.bulk_create(
        PaymentCode(
            wallet_account=account,
            payment_reference=account.vendor.payment_reference,
            payload=payload_for(account, account.vendor),
            version=1,
            issued_at=now,
        )
        for account in accounts
    )


def _widget_painter(canvas, payload: str, left: float, bottom: float, side: float) -> None:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(payload, barLevel="M", barBorder=4)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, left, bottom)


def _timed(action) -> float:
    from printables import qr

    qr.matrix.cache_clear()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def run() -> list[Row]:
    from django.test import override_settings

    from merchants.models import Market, Vendor
    from printables import documents, posters, selectors

    with scratch_database(), override_settings(MOBIFONE_BIN="971025"):
        market = Market.objects.get(code="NK01")
        _make_market(market)
        items = selectors.market_posters(market)
        codes = sum(len(p.codes) for p in items)
        assert len(items) == VENDORS

        ours = _timed(lambda: documents.market_posters_pdf(market, layout="a5"))
        sheets = _timed(lambda: documents.market_posters_pdf(market, layout="a4x2"))
        sample = items[:WIDGET_SAMPLE]
        widget = _timed(lambda: posters.render(sample, layout="a5", painter=_widget_painter))
        # The same posters without the database read, so the ratio compares drawing with drawing.
        ours_drawing = _timed(lambda: posters.render(sample, layout="a5"))

        vendor = Vendor.objects.filter(market=market).order_by("stall_number").first()
        singles = [_timed(lambda: documents.vendor_poster_pdf(vendor)) * 1000 for _ in range(30)]
        single_ms = statistics.median(singles)

    rate = VENDORS / ours
    ratio = widget / ours_drawing
    label = f"{VENDORS} vendors, {codes} codes"
    return [
        Row(
            "posters",
            f"batch A5, {label}",
            f"{rate:.0f} pages/s ({ours:.2f} s)",
            f">= {GOAL_PAGES_PER_SECOND:.0f}",
            rate >= GOAL_PAGES_PER_SECOND,
        ),
        Row("posters", f"batch 2×A5 on A4, {label}", f"{VENDORS / sheets:.0f} posters/s ({sheets:.2f} s)", "", None),
        Row(
            "posters",
            f"first {WIDGET_SAMPLE} posters, ours / reportlab QrCodeWidget",
            f"{WIDGET_SAMPLE / ours_drawing:.0f} / {WIDGET_SAMPLE / widget:.1f} pages/s",
            "",
            None,
        ),
        Row(
            "posters",
            "speed-up over the widget, same pages",
            f"{ratio:.1f}×",
            f">= {GOAL_RATIO:.0f}×",
            ratio >= GOAL_RATIO,
        ),
        Row(
            "posters",
            "single vendor poster, median of 30",
            f"{single_ms:.1f} ms",
            f"< {GOAL_SINGLE_MS:.0f} ms",
            single_ms < GOAL_SINGLE_MS,
        ),
    ]
