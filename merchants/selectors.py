"""Reads of markets and vendors that pages, the API and reports share."""

from dataclasses import dataclass
from pathlib import Path

from django.contrib.postgres.search import SearchQuery
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from core.access import visible_markets
from core.actors import Actor
from core.errors import NotFound
from core.text import fold
from merchants import units
from merchants.models import VENDOR_SEARCH_WORDS, Market, PaymentCode, Vendor, VendorStatus


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
    search: every word typed begins a word of the name, trade name, stall
    or vendor code, whatever the case and the diacritics ("cuc", "CHÂU HỒNG
    CÚC", "161" or "A-16" for stall A-161); four digits or more also find a
    phone number holding them."""
    vendors = vendors_visible_to(user).select_related("market")
    if market:
        vendors = vendors.filter(market__code=market)
    if status:
        vendors = vendors.filter(status=status)
    if search:
        vendors = vendors.filter(_search_condition(search))
    return vendors.order_by("market__code", "stall_number")


def _search_condition(search: str) -> Q:
    # A typed "A-16" is one word to the person: it begins stall word "a161".
    words = [word for word in (fold(part).replace(" ", "") for part in search.split()) if word]
    condition = Q(pk__in=[])
    if words:
        # Each word is ASCII letters and digits only, so the raw query holds no operator of its own.
        query = SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw", config="simple")
        condition |= Q(pk__in=Vendor.objects.alias(words=VENDOR_SEARCH_WORDS).filter(words=query).values("pk"))
    digits = "".join(ch for ch in search if ch.isascii() and ch.isdigit())
    if len(digits) >= 4 and not any(ch.isalpha() for ch in search):
        # Its own subquery: an OR inside one query would fold every row's
        # words to test it, where the index answers the words alone.
        condition |= Q(pk__in=Vendor.objects.filter(phone__contains=digits).values("pk"))
    return condition


def open_vendor_at(user: Actor, *, market: str, stall: str) -> Vendor | None:
    """The open (not closed) vendor of a stall, the market named by its code
    or its name as people write it, the stall by its number in any case."""
    market = " ".join(market.split())
    stall = "".join(stall.split())
    if not market or not stall:
        return None
    return (
        vendors_visible_to(user)
        .exclude(status=VendorStatus.CLOSED)
        .filter(Q(market__code__iexact=market) | Q(market__name__iexact=market), stall_number__iexact=stall)
        .select_related("market")
        .first()
    )


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


def unit_errors(code: str, near: str = "") -> list[str]:
    """Why a unit code is not one of the city's, with the dataset's names
    nearest to `near` (a unit or market name given with it), else to what
    was typed."""
    if code in units.city_units():
        return []
    hint = ", ".join(u.label for u in units.nearest_units(near or code))
    return [
        _("Mã phường/xã “%(code)s” không có trong danh mục đơn vị hành chính của thành phố Cần Thơ. Gần nhất: %(hint)s")
        % {"code": code, "hint": hint}
    ]


@dataclass(frozen=True)
class UnitChange:
    """A market whose recorded unit the dataset no longer has as it was:
    the code is gone (retired), or it now carries another name."""

    market: Market
    now: units.Unit | None  # the unit under the same code; None: the code was retired
    nearest: list[units.Unit]  # for a retired code: the dataset's nearest names


def unit_changes(dataset: Path = units.DATASET_PATH) -> list[UnitChange]:
    """Every market whose unit code was changed or retired in `dataset` (the
    installed package's, or a newer copy), in market order. Reads only."""
    city = units.city_units(dataset)
    changes = []
    for market in Market.objects.exclude(unit_code="").order_by("code"):
        unit = city.get(market.unit_code)
        if unit is None:
            nearest = units.nearest_units(market.unit_name, dataset=dataset)
            changes.append(UnitChange(market, None, nearest))
        elif unit.name != market.unit_name:
            changes.append(UnitChange(market, unit, []))
    return changes
