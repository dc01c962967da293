"""Pages of the revenue book: the vendor's downloads through their signed
link, the board's print at the desk, the board's threshold list, the
department's bands, and the public verification page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core import clock
from core.access import role_of
from core.actors import Actor
from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.models import Role
from merchants.models import Market, Vendor
from merchants.selectors import get_market_for, get_vendor_for
from printables.selectors import vendor_for_token
from revenue import selectors, services, watch
from revenue.models import Channel, DocumentFormat
from revenue.periods import period_parse

CONTENT_TYPES = {
    DocumentFormat.PDF: "application/pdf",
    DocumentFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _document(
    request: HttpRequest, vendor: Vendor, format: str, *, actor: Actor, channel: str, download: bool
) -> HttpResponse:
    if format not in DocumentFormat.values:
        raise Http404(_("Không có định dạng này"))
    try:
        period = period_parse(request.GET.get("period"), today=clock.today())
    except ValidationFailed as exc:
        return render(request, "revenue/refused.html", {"reason": exc.summary}, status=400)
    document, content = services.revenue_document_issue(
        actor=actor, vendor=vendor, period=period, format=format, channel=channel
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[DocumentFormat(format)])
    disposition = "attachment" if download or format == DocumentFormat.XLSX else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="so-doanh-thu-{vendor.code}-{period.key}.{format}"'
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
def vendor_link_book(request: HttpRequest, token: str, format: str) -> HttpResponse:
    vendor = vendor_for_token(token)
    if vendor is None:
        raise Http404(_("Liên kết không hợp lệ hoặc đã hết hạn"))
    return _document(request, vendor, format, actor=None, channel=Channel.VENDOR_LINK, download=True)


def _vendor_seen_by(user: Actor, code: str) -> Vendor:
    try:
        vendor = get_vendor_for(user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not selectors.sees_revenue(user, vendor):
        raise PermissionDenied(
            _("Doanh thu của tiểu thương chỉ tiểu thương, Ban quản lý chợ và cán bộ vận hành được xem")
        )
    return vendor


@login_required
@never_cache
def vendor_book(request: HttpRequest, code: str, format: str) -> HttpResponse:
    """The board prints a vendor's book at the desk (inline, to print)."""
    vendor = _vendor_seen_by(request.user, code)
    channel = Channel.OPERATOR if role_of(request.user) == Role.OPERATOR else Channel.BOARD
    return _document(request, vendor, format, actor=request.user, channel=channel, download=False)


@login_required
@never_cache
def market_watch(request: HttpRequest, code: str) -> HttpResponse:
    """The board's list of its vendors at 80% of the threshold or more."""
    try:
        market: Market = get_market_for(request.user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if role_of(request.user) not in (Role.BOARD, Role.OPERATOR):
        raise PermissionDenied(_("Doanh thu của tiểu thương chỉ Ban quản lý chợ và cán bộ vận hành được xem"))
    today = clock.today()
    return render(
        request,
        "revenue/market_watch.html",
        {
            "market": market,
            "today": today,
            "threshold": watch.threshold(),
            "flag_percent": watch.FLAG_PERCENT,
            "flagged": watch.market_flagged(market, as_of=today),
        },
    )


@login_required
@never_cache
def city_bands(request: HttpRequest) -> HttpResponse:
    """The department's view: vendors per market per band, small bands hidden."""
    if role_of(request.user) not in (Role.DEPARTMENT, Role.OPERATOR):
        raise Http404(_("Không tìm thấy trang"))
    today = clock.today()
    return render(
        request,
        "revenue/city_bands.html",
        {
            "today": today,
            "threshold": watch.threshold(),
            "bands": watch.BANDS,
            "rows": watch.city_bands(as_of=today),
            "smallest": watch.SMALLEST_BAND,
        },
    )


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """Public: confirms a document's period and totals, nothing else."""
    raw = request.GET.get("code", "").strip()
    found = selectors.document_verify(raw) if raw else None
    status = 404 if raw and found is None else 200
    return render(request, "revenue/verify.html", {"code": raw, "found": found}, status=status)
