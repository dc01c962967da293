"""Payment codes, their images, posters and the vendor link, under /api/v1/."""

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from core.access import require_market_write
from core.errors import DomainError, NotFound
from core.openapi import CONFLICT, GONE, file_answer
from core.partners import Partner
from core.privacy import personal
from merchants import selectors as merchant_selectors
from merchants import services as merchant_services
from merchants.models import PaymentCode, Vendor, WalletAccount
from printables import documents, qr, selectors, services
from printables.models import BatchState, PosterBatch

router = Router(tags=["payment codes and posters"])
Layout = Literal["a5", "a4x2"]


class Gone(DomainError):
    status_code = 410


class PaymentCodeOut(Schema):
    id: int
    wallet_account: int
    partner: str
    partner_name: str
    account_number: str
    payment_reference: str
    payload: str
    version: int
    issued_at: dt.datetime
    revoked_at: dt.datetime | None
    revoke_reason: str
    is_active: bool
    qr_png: str
    qr_svg: str

    @staticmethod
    def resolve_wallet_account(obj: PaymentCode) -> int:
        return obj.wallet_account_id

    @staticmethod
    def resolve_partner(obj: PaymentCode) -> str:
        return obj.wallet_account.partner

    @staticmethod
    def resolve_partner_name(obj: PaymentCode) -> str:
        return Partner(obj.wallet_account.partner).label

    @staticmethod
    def resolve_account_number(obj: PaymentCode, context: dict[str, Any]) -> str:
        # The payload keeps the number: it is what the poster shows at the stall.
        return personal(context["request"].user, obj.wallet_account.account_number)

    @staticmethod
    def resolve_qr_png(obj: PaymentCode) -> str:
        return _code_url(obj, "qr_png")

    @staticmethod
    def resolve_qr_svg(obj: PaymentCode) -> str:
        return _code_url(obj, "qr_svg")


class RevokeIn(Schema):
    # Required and not blank; the service gives the reason in Vietnamese.
    reason: str = Field(json_schema_extra={"pattern": r"\S"})


class BatchOut(Schema):
    state: str
    state_name: str
    done: int
    total: int
    error: str
    layout: str
    status_url: str
    download_url: str | None

    @staticmethod
    def resolve_state_name(obj: PosterBatch) -> str:
        return obj.get_state_display()

    @staticmethod
    def resolve_status_url(obj: PosterBatch) -> str:
        return reverse("api-v1:poster_batch_status", kwargs={"code": obj.market.code}) + f"?layout={obj.layout}"

    @staticmethod
    def resolve_download_url(obj: PosterBatch) -> str | None:
        if obj.state != BatchState.DONE:
            return None
        return reverse("api-v1:market_posters_pdf", kwargs={"code": obj.market.code}) + f"?layout={obj.layout}"


class VendorLinkOut(Schema):
    url: str
    valid_days: int


def _code_url(code: PaymentCode, name: str) -> str:
    vendor_code = code.wallet_account.vendor.code
    return reverse(f"api-v1:{name}", kwargs={"code": vendor_code, "code_id": code.pk})


def _code_for(request: HttpRequest, code: str, code_id: int) -> tuple[Vendor, PaymentCode]:
    vendor = merchant_selectors.get_vendor_for(request.user, code)
    payment_code = merchant_selectors.payment_code_of(vendor, code_id)
    if payment_code is None:
        raise NotFound(_("Không tìm thấy mã QR"))
    return vendor, payment_code


def _active_image_payload(request: HttpRequest, code: str, code_id: int) -> PaymentCode:
    _vendor, payment_code = _code_for(request, code, code_id)
    if payment_code.revoked_at is not None:
        raise Gone(_("Mã QR này đã bị thu hồi; hãy dùng mã đang hoạt động"))
    return payment_code


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@router.get("/vendors/{code}/payment-codes", response=list[PaymentCodeOut])
def list_payment_codes(request: HttpRequest, code: str, active: bool | None = None) -> list[PaymentCode]:
    vendor = merchant_selectors.get_vendor_for(request.user, code)
    codes = selectors.vendor_codes(vendor)
    if active is not None:
        codes = codes.filter(revoked_at__isnull=active)
    return list(codes)


@router.post("/vendors/{code}/payment-codes/{code_id}/reissue", response={201: PaymentCodeOut})
def reissue_payment_code(request: HttpRequest, code: str, code_id: int) -> Status:
    _vendor, payment_code = _code_for(request, code, code_id)
    return Status(201, merchant_services.payment_code_reissue(actor=request.user, code=payment_code))


@router.post("/vendors/{code}/payment-codes/{code_id}/revoke", response=PaymentCodeOut)
def revoke_payment_code(request: HttpRequest, code: str, code_id: int, payload: RevokeIn) -> PaymentCode:
    _vendor, payment_code = _code_for(request, code, code_id)
    return merchant_services.payment_code_revoke(actor=request.user, code=payment_code, reason=payload.reason)


@router.post("/vendors/{code}/wallet-accounts/{account_id}/issue-code", response={201: PaymentCodeOut})
def issue_payment_code(request: HttpRequest, code: str, account_id: int) -> Status:
    vendor = merchant_selectors.get_vendor_for(request.user, code)
    account = get_object_or_404(WalletAccount.objects.select_related("vendor__market"), pk=account_id, vendor=vendor)
    return Status(201, merchant_services.payment_code_issue(actor=request.user, account=account))


@router.get(
    "/vendors/{code}/payment-codes/{code_id}/qr.png",
    url_name="qr_png",
    openapi_extra=file_answer("image/png", description="Ảnh QR", extra=GONE),
)
def payment_code_png(request: HttpRequest, code: str, code_id: int) -> HttpResponse:
    payment_code = _active_image_payload(request, code, code_id)
    response = HttpResponse(qr.png(payment_code.payload), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{code}-{payment_code.wallet_account.partner}.png"'
    return response


@router.get(
    "/vendors/{code}/payment-codes/{code_id}/qr.svg",
    url_name="qr_svg",
    openapi_extra=file_answer("image/svg+xml", description="Ảnh QR", extra=GONE),
)
def payment_code_svg(request: HttpRequest, code: str, code_id: int) -> HttpResponse:
    payment_code = _active_image_payload(request, code, code_id)
    return HttpResponse(qr.svg(payment_code.payload), content_type="image/svg+xml")


@router.get(
    "/vendors/{code}/poster.pdf",
    openapi_extra=file_answer("application/pdf", description="Áp phích A5", extra=CONFLICT),
)
def vendor_poster(request: HttpRequest, code: str) -> HttpResponse:
    vendor = merchant_selectors.get_vendor_for(request.user, code)
    return _pdf(documents.vendor_poster_pdf(vendor), f"{vendor.code}.pdf")


@router.get("/vendors/{code}/link", response=VendorLinkOut)
def vendor_link(request: HttpRequest, code: str) -> dict[str, Any]:
    vendor = merchant_selectors.get_vendor_for(request.user, code)
    # The link is the vendor's key to its codes and takings: the people who
    # hand it over (its board, operators) get it, as on the vendor's page.
    require_market_write(request.user, vendor.market)
    return {"url": selectors.vendor_link(vendor), "valid_days": settings.VENDOR_LINK_MAX_AGE_DAYS}


@router.get(
    "/markets/{code}/posters.pdf",
    response={202: BatchOut},
    url_name="market_posters_pdf",
    openapi_extra=file_answer("application/pdf", description="Áp phích của chợ", extra=CONFLICT),
)
def market_posters(request: HttpRequest, code: str, layout: Layout = "a5") -> HttpResponse | Status:
    """Small markets: the PDF now. Large ones: the batch's file when ready, else 202 and its status."""
    market = merchant_selectors.get_market_for(request.user, code)
    paper = services.clean_layout(layout)
    items = selectors.market_posters(market)
    if len(items) <= services.direct_render_limit():
        return _pdf(documents.market_posters_pdf(market, layout=paper, items=items), f"{market.code}-{paper}.pdf")
    batch = services.poster_batch_request(actor=request.user, market=market, layout=paper)
    if batch.state == BatchState.DONE:
        with batch.file.open("rb") as handle:
            return _pdf(handle.read(), f"{market.code}-{paper}.pdf")
    return Status(202, batch)


@router.get("/markets/{code}/posters/status", response=BatchOut, url_name="poster_batch_status")
def poster_batch_status(request: HttpRequest, code: str, layout: Layout = "a5") -> PosterBatch:
    market = merchant_selectors.get_market_for(request.user, code)
    batch = selectors.latest_batch(market, layout=services.clean_layout(layout))
    if batch is None:
        raise NotFound(_("Chưa có yêu cầu in áp phích nào cho chợ này"))
    return batch
