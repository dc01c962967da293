"""Webhook endpoints of the partner wallets, and transaction reads."""

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import paginate

from core.access import require_operator
from core.errors import NotFound
from core.pagination import Pages
from core.params import DayParam, parse_day
from core.partners import Partner
from merchants.models import Vendor
from payments import selectors, services
from payments.models import Kind, Status, Transaction, Verdict, WebhookDelivery
from payments.schemas import AttributeIn, DeliveryOut, DismissIn, TransactionOut
from payments.webhook_http import webhook_response

router = Router(tags=["payments"])


@router.post("/webhooks/{partner}", auth=None, include_in_schema=False)
def webhook(request: HttpRequest, partner: str) -> HttpResponse:
    """A partner's notification. No session, so no CSRF; the partner's
    signature on the raw body is the authentication. Under the web server the
    same answer comes from `webhook_http.with_webhook_intake`, which skips
    the middleware chain."""
    if partner not in Partner.values:
        raise NotFound("Không tìm thấy")
    return webhook_response(request, partner)


@router.get("/transactions", response=list[TransactionOut])
@paginate(Pages, page_size=50)
def list_transactions(
    request: HttpRequest,
    partner: Partner | None = None,
    market: str | None = None,
    vendor: str | None = None,
    business_date: DayParam = None,
    date_from: DayParam = None,
    date_to: DayParam = None,
    status: Status | None = None,
    kind: Kind | None = None,
    unattributed: bool | None = None,
) -> QuerySet[Transaction]:
    first = parse_day("date_from", date_from or business_date)
    last = parse_day("date_to", date_to or business_date)
    return selectors.transaction_search(
        request.user,
        partner=partner,
        market=market,
        vendor=vendor,
        date_from=first,
        date_to=last,
        status=status,
        kind=kind,
        unattributed=unattributed,
    )


@router.get("/transactions/unattributed", response=list[TransactionOut])
@paginate(Pages, page_size=50)
def list_unattributed(request: HttpRequest) -> QuerySet[Transaction]:
    require_operator(request.user)
    return selectors.unattributed_queue().select_related("vendor", "market")


@router.post("/transactions/{txn_id}/attribute", response=TransactionOut)
def attribute_transaction(request: HttpRequest, txn_id: int, payload: AttributeIn) -> Transaction:
    require_operator(request.user)
    txn = get_object_or_404(Transaction, pk=txn_id)
    vendor = get_object_or_404(Vendor.objects.select_related("market"), code=payload.vendor)
    return services.transaction_attribute(actor=request.user, txn=txn, vendor=vendor, note=payload.note)


@router.post("/transactions/{txn_id}/dismiss", response=TransactionOut)
def dismiss_transaction(request: HttpRequest, txn_id: int, payload: DismissIn) -> Transaction:
    require_operator(request.user)
    txn = get_object_or_404(Transaction, pk=txn_id)
    return services.transaction_dismiss(actor=request.user, txn=txn, note=payload.note)


@router.get("/webhook-deliveries", response=list[DeliveryOut])
@paginate(Pages, page_size=50)
def list_deliveries(
    request: HttpRequest, partner: Partner | None = None, verdict: Verdict | None = None
) -> QuerySet[WebhookDelivery]:
    require_operator(request.user)
    return selectors.delivery_log(partner=partner, verdict=verdict)


@router.post("/webhook-deliveries/{delivery_id}/replay", response=DeliveryOut)
def replay_delivery(request: HttpRequest, delivery_id: int) -> WebhookDelivery:
    require_operator(request.user)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_id)
    return services.delivery_replay(actor=request.user, delivery=delivery)
