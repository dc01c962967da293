"""Reads of markets and vendors that pages, the API and reports share."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from core.access import visible_markets
from core.actors import Actor
from core.errors import NotFound
from merchants import units
from merchants.models import Market, PaymentCode, Vendor, VendorStatus


def markets_visible_to(user: Actor) -> QuerySet[Market]:
    return visible_markets(user, Market.objects.all())


def get_market_for(user: Actor, code: str) -> Market:
    market = markets_visible_to(user).filter(code=code).first()
    if market is None:
        raise NotFound(_("Không tìm thấy chợ"))
    return market


def vendors_visible_to(user: Actor) -> QuerySet[Vendor]:
    return Vendor.objects.filter(market__in=markets_visible_to(user))


def get_vendor_for(user: Actor, code: str) -> Vendor:
    vendor = vendors_visible_to(user).filter(code=code).select_related("market").first()
    if vendor is None:
        raise NotFound(_("Không tìm thấy tiểu thương"))
    return vendor


def vendor_search(
    user: Actor, *, market: str | None = None, status: str | None = None, search: str | None = None
) -> QuerySet[Vendor]:
    """Vendors a person may see, filtered by market code, status and a free
    search over name, trade name, stall and phone."""
    vendors = vendors_visible_to(user).select_related("market")
    if market:
        vendors = vendors.filter(market__code=market)
    if status:
        vendors = vendors.filter(status=status)
    if search:
        term = " ".join(search.split())
        digits = "".join(ch for ch in term if ch.isdigit())
        condition = (
            Q(full_name__icontains=term)
            | Q(trade_name__icontains=term)
            | Q(stall_number__iexact=term.upper())
            | Q(code__iexact=term)
        )
        if len(digits) >= 4:
            condition |= Q(phone__contains=digits)
        vendors = vendors.filter(condition)
    return vendors.order_by("market__code", "stall_number")


def active_codes() -> QuerySet[PaymentCode]:
    return PaymentCode.objects.filter(revoked_at__isnull=True)


def payment_code_of(vendor: Vendor, code_id: int) -> PaymentCode | None:
    """One of the vendor's codes (any version), or None."""
    codes = PaymentCode.objects.filter(pk=code_id, wallet_account__vendor=vendor)
    return codes.select_related("wallet_account__vendor__market").first()


def vendors_with_active_code(vendors: QuerySet[Vendor]) -> QuerySet[Vendor]:
    """Active vendors holding at least one active payment code (onboarded)."""
    has_code = active_codes().filter(wallet_account__vendor=OuterRef("pk"), wallet_account__is_active=True)
    return vendors.filter(status=VendorStatus.ACTIVE).filter(Exists(has_code))


def market_vendor_counts(markets: QuerySet[Market]) -> QuerySet[Market]:
    return markets.annotate(
        vendor_count=Count("vendors", filter=~Q(vendors__status=VendorStatus.CLOSED)),
        active_vendor_count=Count("vendors", filter=Q(vendors__status=VendorStatus.ACTIVE)),
    )


def current_units() -> dict[str, units.Unit]:
    """The city's commune-level units of today, by official code (the dataset's)."""
    return units.city_units()


def unit_errors(code: str) -> list[str]:
    """Why a unit code is not one of the city's, with the nearest names."""
    if code in units.city_units():
        return []
    hint = ", ".join(u.label for u in units.nearest_units(code))
    return [
        _("Mã phường/xã “%(code)s” không có trong danh mục đơn vị hành chính của thành phố Cần Thơ. Gần nhất: %(hint)s")
        % {"code": code, "hint": hint}
    ]
