"""Field rules for vendors and wallet accounts, shared by the form, the API
and the spreadsheet import. Each returns the normalised value or raises
ValidationFailed naming the field and the reason in Vietnamese."""

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping

from django.utils import translation
from django.utils.translation import gettext as _

from core import clock
from core.errors import ValidationFailed
from core.partners import Partner
from merchants import vietqr
from merchants.models import GoodsCategory

# Province and city codes that open a CCCD number (Circular 07/2016/TT-BCA).
CCCD_PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 038 "
    "040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 "
    "083 084 086 087 089 091 092 093 094 095 096".split()
)
# Current Vietnamese mobile prefixes after the 2018 renumbering.
MOBILE_PREFIXES = frozenset(
    "032 033 034 035 036 037 038 039 052 055 056 058 059 070 076 077 078 079 "
    "081 082 083 084 085 086 087 088 089 090 091 092 093 094 096 097 098 099".split()
)
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_STALL = re.compile(r"^[A-Z0-9][A-Z0-9\-/]{0,15}$")
_NAME_LETTERS = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$")


def _ascii_digits(text: str) -> bool:
    """str.isdigit() alone also takes "²" or "٣" (which int() then refuses or
    reads as another digit); phone, CCCD and account numbers are ASCII."""
    return text.isascii() and text.isdigit()


def normalize_text(value: str) -> str:
    """NFC and single spaces: the same name typed on two phones compares equal."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def clean_full_name(value: str, field: str = "full_name") -> str:
    name = normalize_text(value)
    if not name:
        raise ValidationFailed.single(field, _("Vui lòng nhập họ và tên"))
    if len(name) > 100:
        raise ValidationFailed.single(field, _("Họ và tên dài quá 100 ký tự"))
    if not _NAME_LETTERS.match(name) or len(name.split()) < 2:
        raise ValidationFailed.single(
            field, _("Họ và tên chỉ gồm chữ cái, có ít nhất họ và tên (ví dụ: Nguyễn Thị Lan)")
        )
    return _printable_on_code(name, field)


def clean_trade_name(value: str, field: str = "trade_name") -> str:
    name = normalize_text(value)
    if len(name) > 100:
        raise ValidationFailed.single(field, _("Tên cửa hàng dài quá 100 ký tự"))
    # Control and invisible characters (NUL, which PostgreSQL cannot store; a
    # zero-width space; a right-to-left override) have no place on a poster.
    if not name.isprintable():
        raise ValidationFailed.single(field, _("Tên cửa hàng có ký tự điều khiển hoặc ký tự ẩn"))
    return _printable_on_code(name, field) if name else name


def _printable_on_code(name: str, field: str) -> str:
    """The vendor's name goes on its QR codes without diacritics (tag 59,
    ASCII); a name in another script (٠١٢, 陳) would leave nothing there, and
    no code could be issued."""
    if not vietqr.merchant_name(name):
        raise ValidationFailed.single(
            field, _("Tên phải có chữ cái tiếng Việt hoặc chữ số để in lên mã QR (ví dụ: Nguyễn Thị Lan)")
        )
    return name


def clean_phone(value: str, field: str = "phone") -> str:
    raw = _PHONE_SEPARATORS.sub("", str(value or ""))
    if not raw:
        raise ValidationFailed.single(field, _("Vui lòng nhập số điện thoại di động"))
    if raw.startswith("+84"):
        raw = "0" + raw[3:]
    elif raw.startswith("84") and len(raw) == 11:
        raw = "0" + raw[2:]
    elif len(raw) == 9 and not raw.startswith("0"):
        # Spreadsheets drop the leading zero of a number stored as a number.
        raw = "0" + raw
    if not _ascii_digits(raw) or len(raw) != 10:
        raise ValidationFailed.single(field, _("Số điện thoại di động phải có 10 chữ số, ví dụ 0912345678"))
    if raw[:3] not in MOBILE_PREFIXES:
        raise ValidationFailed.single(
            field, _("Đầu số %(prefix)s không phải đầu số di động Việt Nam") % {"prefix": raw[:3]}
        )
    return raw


def clean_national_id(value: str, field: str = "national_id") -> str:
    # A CCCD is read out and typed in groups: "092 185 012 345", "092.185.012.345".
    raw = re.sub(r"[\s.]", "", str(value or ""))
    if not raw:
        raise ValidationFailed.single(field, _("Vui lòng nhập số CCCD"))
    if not _ascii_digits(raw) or len(raw) != 12:
        raise ValidationFailed.single(field, _("Số CCCD phải gồm đúng 12 chữ số"))
    if raw[:3] not in CCCD_PROVINCE_CODES:
        raise ValidationFailed.single(
            field, _("Mã tỉnh %(code)s ở 3 số đầu của CCCD không tồn tại") % {"code": raw[:3]}
        )
    century_digit = int(raw[3])
    if century_digit > 3:
        raise ValidationFailed.single(field, _("Chữ số thứ 4 của CCCD (giới tính và thế kỷ sinh) không hợp lệ"))
    birth_year = 1900 + 100 * (century_digit // 2) + int(raw[4:6])
    if birth_year > clock.today().year - 14:
        raise ValidationFailed.single(
            field, _("Năm sinh %(year)s trong CCCD không hợp lệ (phải đủ 14 tuổi)") % {"year": birth_year}
        )
    return raw


def clean_stall_number(value: str, field: str = "stall_number") -> str:
    stall = normalize_text(str(value or "")).upper().replace(" ", "")
    if not stall:
        raise ValidationFailed.single(field, _("Vui lòng nhập số sạp"))
    if not _STALL.match(stall):
        raise ValidationFailed.single(field, _("Số sạp chỉ gồm chữ không dấu, chữ số, '-' hoặc '/', tối đa 16 ký tự"))
    return stall


@functools.lru_cache(maxsize=8)
def _category_lookup(language: str | None) -> dict[str, str]:
    """Codes and labels (in the active language and in Vietnamese) to codes."""
    lookup = {choice.value: choice.value for choice in GoodsCategory}
    for choice in GoodsCategory:
        lookup[str(choice.label).casefold()] = choice.value
        with translation.override("vi"):
            lookup[str(choice.label).casefold()] = choice.value
    return lookup


def clean_category(value: str, field: str = "category") -> str:
    text = normalize_text(str(value or ""))
    found = _category_lookup(translation.get_language()).get(text.casefold())
    if found:
        return found
    if not text:
        raise ValidationFailed.single(field, _("Vui lòng chọn ngành hàng"))
    shown = text if len(text) <= 40 else text[:40] + "…"  # a whole huge cell would hide the reason
    raise ValidationFailed.single(field, _("Ngành hàng “%(value)s” không có trong danh mục") % {"value": shown})


def clean_partner(value: str, field: str = "partner") -> str:
    if value in Partner.values:
        return value
    raise ValidationFailed.single(
        field, _("Ví phải là một trong: %(choices)s") % {"choices": ", ".join(Partner.values)}
    )


def clean_account_number(value: str, field: str = "account_number") -> str:
    raw = re.sub(r"[\s.\-]", "", str(value or ""))
    if not raw:
        raise ValidationFailed.single(field, _("Vui lòng nhập số tài khoản ví"))
    if not _ascii_digits(raw) or not 6 <= len(raw) <= 19:
        raise ValidationFailed.single(field, _("Số tài khoản ví gồm 6 đến 19 chữ số"))
    return raw


def collect(checks: Mapping[str, Callable[[], str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Run several field checks, keeping every error instead of the first."""
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for field, check in checks.items():
        try:
            values[field] = check()
        except ValidationFailed as exc:
            for name, reasons in exc.errors.items():
                errors.setdefault(name, []).extend(reasons)
    return values, errors
