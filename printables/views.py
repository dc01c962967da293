"""Pages: a vendor's own signed link (no account), and printing for boards."""

import datetime as dt
import functools
from collections.abc import Callable
from typing import TypeVar, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core import clock, errorpages
from core.access import require_market_write
from core.actors import Actor
from core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from core.formatting import format_vnd
from merchants import selectors as merchant_selectors
from merchants.models import Market, Vendor
from payments import selectors as payment_selectors
from printables import documents, links, posters, qr, selectors, services, stall_feed
from printables.models import BatchState

_Found = TypeVar("_Found")


def _pdf(content: bytes, filename: str, *, download: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _vendor_from_token(token: str) -> Vendor:
    vendor = links.vendor_from_token(token)
    if vendor is None:
        raise Http404(_("Liên kết không hợp lệ hoặc đã hết hạn"))
    return vendor


# --- the vendor's link -----------------------------------------------------

_LinkView = TypeVar("_LinkView", bound=Callable[..., HttpResponse])


def _link_page(view: _LinkView) -> _LinkView:
    """A link that is tampered with, expired or of a closed vendor tells the
    vendor, who has no account and no one else to ask, what to do next."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return errorpages.error_page(
                status=404,
                title=_("Đường dẫn không hợp lệ"),
                message=_("Đường dẫn này không đúng, đã hết hạn hoặc đã bị thu hồi."),
                action=_("Hãy hỏi Ban quản lý chợ để được gửi đường dẫn mới."),
                next_url="",  # the vendor has no account: the home page is a login
            )

    return cast(_LinkView, wrapped)


def _screen_texts() -> dict[str, str]:
    """What the stall screen's script says, translated here."""
    return {
        "live": _("Đang nhận trực tiếp"),
        "heard": _("nghe máy chủ %(s)s giây trước"),
        "connecting": _("Đang kết nối…"),
        "reconnecting": _("Mất kết nối, đang kết nối lại…"),
        "offline": _("Điện thoại đang ngoại tuyến, tiền vào sẽ hiện khi có mạng lại"),
        "revoked": _("Liên kết này đã bị thu hồi. Vui lòng xin Ban quản lý chợ liên kết mới."),
        "sound_on": _("Tắt âm thanh"),
        "sound_off": _("Bật âm thanh"),
        "sound_on_state": _("Âm thanh đang bật: mỗi khoản tiền vào được đọc to."),
        "sound_on_chime": _("Âm thanh đang bật: điện thoại không có giọng tiếng Việt, sẽ kêu chuông và nháy số tiền."),
        "sound_off_state": _("Âm thanh đang tắt: tiền vào sẽ không được đọc to."),
        "refund": _("Hoàn tiền"),
        "reversed": _("Đã đảo"),
        "ref": _("Mã GD"),
        "count": _("%(n)s lượt thanh toán"),
    }


@never_cache
@_link_page
def vendor_link_page(request: HttpRequest, token: str) -> HttpResponse:
    """The stall screen ("Màn hình quầy"): today's payments live, spoken."""
    vendor = _vendor_from_token(token)
    codes = selectors.active_codes(vendor)
    today = clock.today()
    week = payment_selectors.vendor_takings_by_day(vendor, today - dt.timedelta(days=6), today)
    return render(
        request,
        "printables/vendor_link.html",
        {
            "vendor": vendor,
            "codes": codes,
            "token": token,
            "today": week[today],
            "week": sorted(week.items(), reverse=True),
            "week_net": sum(t.net for t in week.values()),
            "stream_url": settings.STALL_STREAM_URL + reverse("stall-stream", kwargs={"token": token}),
            "texts": _screen_texts(),
        },
    )


def _claimed_amount(raw: str) -> int:
    """An amount as a vendor types it: "45000", "45.000", "45,000 đ"."""
    digits = raw.replace(".", "").replace(",", "").replace(" ", "").removesuffix("₫").removesuffix("đ")
    if not digits.isdigit() or len(digits) > 12 or int(digits) <= 0:
        raise ValidationFailed.single(
            "amount", _("Số tiền: vui lòng nhập số tiền bằng số, là số đồng lớn hơn 0 (ví dụ 45.000)")
        )
    return int(digits)


@never_cache
def vendor_link_check(request: HttpRequest, token: str) -> JsonResponse:
    """Kiểm tra giao dịch: did a payment of the amount the customer claims
    really arrive in the last 15 minutes?"""
    vendor = _vendor_from_token(token)
    try:
        amount = _claimed_amount(request.GET.get("amount", ""))
    except ValidationFailed as exc:
        # Answered as a page answers a form: the screen shows the reason.
        return JsonResponse({"error": exc.summary, "found": []})
    found = [
        stall_feed.Change.from_transaction(txn).as_message()
        for txn in payment_selectors.vendor_recent_of_amount(vendor, amount)[:20]
    ]
    shown = format_vnd(amount)
    if found:
        message = ngettext(
            "Đã nhận %(n)s giao dịch %(amount)s trong 15 phút qua:",
            "Đã nhận %(n)s giao dịch %(amount)s trong 15 phút qua:",
            len(found),
        ) % {"n": len(found), "amount": shown}
    else:
        message = _("Chưa nhận được khoản %(amount)s nào trong 15 phút qua. Đừng tin ảnh chụp màn hình của khách.") % {
            "amount": shown
        }
    return JsonResponse({"message": message, "found": found})


def vendor_link_manifest(request: HttpRequest, token: str) -> JsonResponse:
    """The web app manifest, so the stall screen installs to the home screen
    and opens on this vendor's link."""
    vendor = _vendor_from_token(token)
    start = reverse("vendor-link", kwargs={"token": token})
    manifest = {
        "name": _("Màn hình quầy · %(name)s") % {"name": vendor.display_name},
        "short_name": _("Quầy %(stall)s") % {"stall": vendor.stall_number},
        "lang": "vi",
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b6e4f",
        "icons": [
            {"src": static("printables/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("printables/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("printables/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@_link_page
def vendor_link_poster(request: HttpRequest, token: str) -> HttpResponse:
    vendor = _vendor_from_token(token)
    try:
        content = documents.vendor_poster_pdf(vendor)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return _pdf(content, f"ap-phich-{vendor.code}.pdf", download=request.GET.get("download") == "1")


@_link_page
def vendor_link_qr(request: HttpRequest, token: str, code_id: int) -> HttpResponse:
    vendor = _vendor_from_token(token)
    code = next((c for c in selectors.active_codes(vendor) if c.pk == code_id), None)
    if code is None:
        raise Http404(_("Không tìm thấy mã QR"))
    response = HttpResponse(qr.png(code.payload), content_type="image/png")
    if request.GET.get("download") == "1":
        response["Content-Disposition"] = f'attachment; filename="ma-qr-{code.wallet_account.partner}.png"'
    return response


# --- board pages -------------------------------------------------------------


def _visible(getter: Callable[[Actor, str], _Found], user: Actor, code: str) -> _Found:
    try:
        return getter(user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def vendor_poster(request: HttpRequest, code: str) -> HttpResponse:
    vendor = _visible(merchant_selectors.get_vendor_for, request.user, code)
    try:
        content = documents.vendor_poster_pdf(vendor)
    except DomainError as exc:
        messages.error(request, exc.summary)
        return redirect("vendor-detail", code=vendor.code)
    return _pdf(content, f"ap-phich-{vendor.code}.pdf")


def _layout(request: HttpRequest) -> str:
    try:
        return services.clean_layout(request.GET.get("layout") or request.POST.get("layout"))
    except DomainError:
        return "a5"


@login_required
@never_cache
def market_posters(request: HttpRequest, code: str) -> HttpResponse:
    """Choose the paper, start the batch, watch its progress, download."""
    market: Market = _visible(merchant_selectors.get_market_for, request.user, code)
    layout = _layout(request)
    if request.method == "POST":
        services.poster_batch_request(actor=request.user, market=market, layout=layout)
        return redirect(reverse("market-posters", kwargs={"code": market.code}) + f"?layout={layout}")
    items = selectors.market_posters(market)
    fingerprint = selectors.posters_fingerprint(items, layout=layout)
    batch = selectors.latest_batch(market, layout=layout)
    if batch is not None and batch.fingerprint != fingerprint:
        batch = None  # drawn from contents the market no longer has
    direct = len(items) <= services.direct_render_limit()
    running = batch is not None and batch.state in (BatchState.QUEUED, BatchState.RUNNING)
    return render(
        request,
        "printables/market_posters.html",
        {
            "market": market,
            "layout": layout,
            "layouts": [("a5", _("Mỗi áp phích một tờ A5")), ("a4x2", _("Hai áp phích A5 trên một tờ A4"))],
            "count": len(items),
            "direct": direct,
            "batch": batch,
            "ready": batch is not None and batch.state == BatchState.DONE,
            "running": running,
            "layout_version": posters.LAYOUT_VERSION,
        },
    )


@login_required
def market_posters_pdf(request: HttpRequest, code: str) -> HttpResponseBase:
    market: Market = _visible(merchant_selectors.get_market_for, request.user, code)
    layout = _layout(request)
    items = selectors.market_posters(market)
    page = reverse("market-posters", kwargs={"code": market.code}) + f"?layout={layout}"
    filename = f"ap-phich-{market.code}-{layout}.pdf"
    if len(items) <= services.direct_render_limit():
        try:
            return _pdf(documents.market_posters_pdf(market, layout=layout, items=items), filename)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(page)
    batch = selectors.latest_batch(market, layout=layout)
    fingerprint = selectors.posters_fingerprint(items, layout=layout)
    if batch is None or batch.fingerprint != fingerprint or batch.state != BatchState.DONE or not batch.file:
        return redirect(page)
    response = FileResponse(batch.file.open("rb"), content_type="application/pdf", filename=filename)
    return response


def stream_elsewhere(request: HttpRequest, token: str) -> HttpResponse:
    """The live stream runs in its own process (printables.stream); the web
    app only names its URL. Reaching it here means no proxy sent /stream/
    to that process."""
    return HttpResponse(
        _("Luồng trực tiếp chạy ở tiến trình riêng (STALL_STREAM_URL)."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )


@login_required
def vendor_link_handover_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The vendor's link as a QR code, for the vendor to scan at the desk
    with their own phone. Only those who may hand the link over see it."""
    vendor = _visible(merchant_selectors.get_vendor_for, request.user, code)
    require_market_write(request.user, vendor.market)  # 403 for the department, which only reads
    response = HttpResponse(qr.svg(selectors.vendor_link(vendor)), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def vendor_link_reissue(request: HttpRequest, code: str) -> HttpResponse:
    vendor = _visible(merchant_selectors.get_vendor_for, request.user, code)
    try:
        services.vendor_link_reissue(actor=request.user, vendor=vendor)
    except (NotFound, PermissionDenied):
        raise  # Django's own 404 and 403
    except DomainError as exc:
        messages.error(request, exc.summary)
    else:
        messages.success(
            request, _("Đã cấp liên kết mới. Liên kết cũ đã ngừng hoạt động; hãy gửi liên kết mới cho tiểu thương.")
        )
    return redirect(reverse("vendor-detail", kwargs={"code": vendor.code}) + "#vendor-link")
