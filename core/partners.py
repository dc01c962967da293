"""The three partner wallets: codes, display names and VietQR BINs.

Only identity lives here. Each partner's webhook quirks live in
`payments/partners/<code>.py`, its settlement file quirks in
`reconciliation/parsers/<code>.py`.
"""

from django.conf import settings
from django.db import models


class Partner(models.TextChoices):
    VNPT = "vnpt", "VNPT Money"
    VIETTEL = "viettel", "Viettel Money"
    MOBIFONE = "mobifone", "MobiFone Money"


_PUBLISHED_BINS = {Partner.VNPT: "971011", Partner.VIETTEL: "971005"}


def partner_bin(partner: str) -> str | None:
    """The acquirer BIN for the partner's VietQR codes, or None when unset.

    MobiFone Money publishes none, so it comes from MOBIFONE_BIN.
    """
    if partner == Partner.MOBIFONE:
        return settings.MOBIFONE_BIN or None
    return _PUBLISHED_BINS[Partner(partner)]
