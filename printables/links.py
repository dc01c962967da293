"""The token of the vendor's own link: signed, no account, valid
VENDOR_LINK_MAX_AGE_DAYS, and only while its version is the vendor's
current one (printables.models.VendorLink). The link itself is
`selectors.vendor_link`."""

import dataclasses

from django.conf import settings
from django.core import signing

from merchants.models import Vendor, VendorStatus
from printables.models import VendorLink

SALT = "printables.vendor-link"
# NOTIFY channel rung when a vendor's link is reissued (payload: the vendor's
# id), so open stall screens on the old link end at once.
LINK_CHANNEL = "printables_vendor_link"


@dataclasses.dataclass(frozen=True)
class Link:
    vendor_id: int
    version: int


def current_version(vendor: Vendor) -> int:
    return VendorLink.objects.filter(vendor=vendor).values_list("version", flat=True).first() or 1


def vendor_token(vendor: Vendor, *, version: int | None = None) -> str:
    data = {"v": vendor.code, "n": version if version is not None else current_version(vendor)}
    return signing.dumps(data, salt=SALT, compress=False)


def _signed(token: str) -> tuple[str, int] | None:
    """(vendor code, version) inside a valid, unexpired token; None otherwise.
    Tokens signed before links had versions are version 1."""
    max_age = settings.VENDOR_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    code, version = data.get("v"), data.get("n", 1)
    if not isinstance(code, str) or not isinstance(version, int) or isinstance(version, bool):
        return None
    return code, version


def vendor_from_token(token: str) -> Vendor | None:
    """The vendor whose current, unexpired link this is; None for a tampered,
    expired or revoked link, or a closed vendor."""
    signed = _signed(token)
    if signed is None:
        return None
    code, version = signed
    vendor = Vendor.objects.select_related("market").filter(code=code).first()
    if vendor is None or vendor.status == VendorStatus.CLOSED or current_version(vendor) != version:
        return None
    return vendor


def link_from_token(token: str) -> Link | None:
    vendor = vendor_from_token(token)
    return Link(vendor.pk, current_version(vendor)) if vendor is not None else None
