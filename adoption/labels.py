"""What each figure counts, named once.

Pages, CSV and XLSX headings and the monthly PDF take their words from here,
so a count of vendors is never read as a count of payments, and a rate always
says what it is taken over."""

import datetime as dt

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.formatting import format_date

MARKETS = _("Số chợ")
MARKETS_LIVE = _("Chợ có giao dịch")
STALLS = _("Số sạp")
VENDORS_REGISTERED = _("Tiểu thương đã đăng ký")
VENDORS_WITH_CODE = _("Tiểu thương có mã QR đang dùng")
TRANSACTING_7D = _("Tiểu thương có giao dịch trong 7 ngày")
TRANSACTING_30D = _("Tiểu thương có giao dịch trong 30 ngày")
ADOPTION = _("Tỷ lệ giao dịch (trên số sạp)")
ONBOARDING = _("Tỷ lệ có mã QR (trên số sạp)")
PAYMENTS_COUNT = _("Số lượt thanh toán")
NET_AMOUNT = _("Giá trị thanh toán thuần")

# The unit each count is in, written after a number: "190 tiểu thương".
UNIT_STALLS = _("sạp")
UNIT_VENDORS = _("tiểu thương")
UNIT_MARKETS = _("chợ")

# What each rate divides, said under the rate wherever it is shown.
ADOPTION_BASIS = _("tiểu thương có giao dịch trong 30 ngày / số sạp")
ONBOARDING_BASIS = _("tiểu thương có mã QR đang dùng / số sạp")


def no_register_note(day: dt.date) -> str:
    """Why the vendor counts of a past day read "—": the register keeps no
    history, and no snapshot of it was recorded at the end of that day."""
    return gettext(
        "“—” ở số tiểu thương đã đăng ký, số có mã QR và tỷ lệ có mã QR: không có ảnh chụp sổ chợ của "
        "ngày %(day)s. Sổ chợ không lưu lịch sử, nên các số này chỉ có cho hôm nay và những ngày hệ thống "
        "đã ghi lại sổ chợ vào cuối ngày."
    ) % {"day": format_date(day)}
