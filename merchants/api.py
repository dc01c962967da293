from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from core import audit
from core.access import require_market_write
from core.models import AuditEntry
from core.pagination import Pages
from merchants import imports, selectors, services
from merchants.models import Market, Vendor, VendorStatus, WalletAccount
from merchants.schemas import (
    AuditEntryOut,
    ImportReportOut,
    MarketOut,
    VendorIn,
    VendorOut,
    VendorPatch,
    WalletAccountIn,
    WalletAccountOut,
)

router = Router(tags=["markets and vendors"])


def _with_accounts(vendors: QuerySet[Vendor]) -> QuerySet[Vendor]:
    return vendors.prefetch_related(Prefetch("wallet_accounts", queryset=WalletAccount.objects.order_by("partner")))


@router.get("/markets", response=list[MarketOut])
@paginate(Pages, page_size=50)
def list_markets(
    request: HttpRequest,
    district: str | None = None,
    pilot: bool | None = None,
    unit: str | None = None,
    original: bool | None = None,
) -> QuerySet[Market]:
    markets = selectors.markets_visible_to(request.user)
    if district:
        markets = markets.filter(district=district)
    if unit:
        markets = markets.filter(unit_code=unit)
    if original is not None:
        markets = markets.filter(in_original_register=original)
    if pilot is not None:
        markets = markets.filter(is_pilot=pilot)
    return markets


@router.get("/markets/{code}", response=MarketOut)
def get_market(request: HttpRequest, code: str) -> Market:
    return selectors.get_market_for(request.user, code)


@router.get("/vendors", response=list[VendorOut])
@paginate(Pages, page_size=50)
def list_vendors(
    request: HttpRequest, market: str | None = None, status: VendorStatus | None = None, search: str | None = None
) -> QuerySet[Vendor]:
    return _with_accounts(selectors.vendor_search(request.user, market=market, status=status, search=search))


@router.post("/vendors", response={201: VendorOut})
def register_vendor(request: HttpRequest, payload: VendorIn) -> Status:
    market = selectors.get_market_for(request.user, payload.market)
    vendor = services.vendor_register(
        actor=request.user,
        market=market,
        data=services.vendor_fields_of(payload.dict()),
        consent_given=payload.consent_given,
        activate=payload.activate,
    )
    return Status(201, vendor)


@router.post("/vendors/import", response=ImportReportOut)
def import_vendors(
    request: HttpRequest,
    file: File[UploadedFile],
    market: Form[str],
    dry_run: Form[bool] = True,
) -> dict[str, Any]:
    target = selectors.get_market_for(request.user, market)
    require_market_write(request.user, target)
    return imports.vendor_import(
        actor=request.user, market=target, filename=file.name or "", content=file.read(), dry_run=dry_run
    )


@router.get("/vendors/{code}", response=VendorOut)
def get_vendor(request: HttpRequest, code: str) -> Vendor:
    return selectors.get_vendor_for(request.user, code)


@router.patch("/vendors/{code}", response=VendorOut)
def update_vendor(request: HttpRequest, code: str, payload: VendorPatch) -> Vendor:
    vendor = selectors.get_vendor_for(request.user, code)
    return services.vendor_update(
        actor=request.user,
        vendor=vendor,
        data=services.vendor_fields_of(payload.dict()),
        status=payload.status,
        reason=payload.reason or "",
    )


@router.get("/vendors/{code}/history", response=list[AuditEntryOut])
def vendor_history(request: HttpRequest, code: str) -> list[AuditEntry]:
    vendor = selectors.get_vendor_for(request.user, code)
    return list(audit.history_of(vendor))


@router.post("/vendors/{code}/wallet-accounts", response={201: WalletAccountOut})
def add_wallet_account(request: HttpRequest, code: str, payload: WalletAccountIn) -> Status:
    vendor = selectors.get_vendor_for(request.user, code)
    account = services.wallet_account_add(
        actor=request.user, vendor=vendor, partner=payload.partner, account_number=payload.account_number
    )
    return Status(201, account)
