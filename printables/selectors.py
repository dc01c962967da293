"""Reads behind posters, images and the vendor link."""

import hashlib
import json

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from core import clock
from core.partners import Partner
from core.text import account_holder_name
from merchants.models import Market, PaymentCode, Vendor, VendorStatus
from printables.links import vendor_from_token, vendor_token
from printables.models import PosterBatch
from printables.posters import LAYOUT_VERSION, PosterCode, PosterData

_PARTNER_ORDER = {partner.value: i for i, partner in enumerate(Partner)}


def active_codes(vendor: Vendor) -> list[PaymentCode]:
    """The vendor's codes in use: active code, active wallet account; partner order."""
    codes = (
        PaymentCode.objects.filter(
            revoked_at__isnull=True, wallet_account__vendor=vendor, wallet_account__is_active=True
        )
        .select_related("wallet_account")
        .order_by("wallet_account_id")
    )
    return sorted(codes, key=lambda code: (_PARTNER_ORDER[code.wallet_account.partner], code.wallet_account_id))


def vendor_codes(vendor: Vendor) -> QuerySet[PaymentCode]:
    """Every code the vendor ever had, newest version first per account."""
    return (
        PaymentCode.objects.filter(wallet_account__vendor=vendor)
        .select_related("wallet_account__vendor")
        .order_by("wallet_account__partner", "wallet_account_id", "-version")
    )


def _poster_code(code: PaymentCode, payee_name: str) -> PosterCode:
    return PosterCode(
        payload=code.payload,
        partner_name=Partner(code.wallet_account.partner).label,
        version=code.version,
        issued_on=clock.business_date(code.issued_at).strftime("%d/%m/%Y"),
        payee_name=payee_name,
    )


def _poster(vendor: Vendor, market: Market, codes: list[PaymentCode]) -> PosterData:
    return PosterData(
        market_name=market.name,
        stall=vendor.stall_number,
        trade_name=vendor.display_name,
        owner_name=vendor.full_name if vendor.trade_name and vendor.trade_name != vendor.full_name else "",
        reference=vendor.payment_reference,
        # The accounts are the vendor's own: the app shows the vendor as the holder.
        codes=tuple(_poster_code(code, account_holder_name(vendor.full_name)) for code in codes),
    )


def vendor_poster(vendor: Vendor) -> PosterData:
    return _poster(vendor, vendor.market, active_codes(vendor))


def market_posters(market: Market) -> list[PosterData]:
    """A poster for every active vendor holding an active code, in stall order (one query)."""
    codes = (
        PaymentCode.objects.filter(
            revoked_at__isnull=True,
            wallet_account__is_active=True,
            wallet_account__vendor__market=market,
            wallet_account__vendor__status=VendorStatus.ACTIVE,
        )
        .select_related("wallet_account__vendor")
        .order_by("wallet_account__vendor__stall_number", "wallet_account__vendor_id")
    )
    grouped: dict[int, tuple[Vendor, list[PaymentCode]]] = {}
    for code in codes:
        vendor = code.wallet_account.vendor
        grouped.setdefault(vendor.pk, (vendor, []))[1].append(code)
    posters = []
    for vendor, vendor_codes_ in grouped.values():
        vendor_codes_.sort(key=lambda c: (_PARTNER_ORDER[c.wallet_account.partner], c.wallet_account_id))
        posters.append(_poster(vendor, market, vendor_codes_))
    return posters


def posters_fingerprint(posters: list[PosterData], *, layout: str) -> str:
    """Hash of everything printed (payloads, versions, names, stalls) and the layout.

    A batch file stays valid exactly as long as this stays the same: any code
    issued, reissued or revoked, or any printed name changed, changes it.
    """
    digest = hashlib.sha256()
    digest.update(f"{LAYOUT_VERSION}|{layout}\n".encode())
    for poster in posters:
        record = [
            poster.market_name,
            poster.stall,
            poster.trade_name,
            poster.owner_name,
            poster.reference,
            [[c.payload, c.partner_name, c.version, c.issued_on, c.payee_name] for c in poster.codes],
        ]
        digest.update(json.dumps(record, ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def latest_batch(market: Market, *, layout: str) -> PosterBatch | None:
    """The market's most recently touched batch for a layout, for its progress."""
    batches = PosterBatch.objects.filter(market=market, layout=layout).select_related("market")
    return batches.order_by("-updated_at", "-pk").first()


def vendor_link(vendor: Vendor) -> str:
    """Absolute URL of the vendor's page of codes and downloads."""
    path = reverse("vendor-link", kwargs={"token": vendor_token(vendor)})
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def vendor_for_token(token: str) -> Vendor | None:
    """The vendor whose current link this is, for the pages other apps serve
    under it; None for a tampered, expired or revoked link, or a closed vendor."""
    return vendor_from_token(token)
