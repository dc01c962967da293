"""The token of the vendor's own link: signed, no account, valid
VENDOR_LINK_MAX_AGE_DAYS. The link itself is `selectors.vendor_link`."""

from django.conf import settings
from django.core import signing

from merchants.models import Vendor

SALT = "printables.vendor-link"


def vendor_token(vendor: Vendor) -> str:
    return signing.dumps({"v": vendor.code}, salt=SALT, compress=False)


def vendor_code_from_token(token: str) -> str | None:
    """The vendor code inside a valid, unexpired token; None otherwise."""
    max_age = settings.VENDOR_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    code = data.get("v") if isinstance(data, dict) else None
    return code if isinstance(code, str) else None
