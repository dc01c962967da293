"""VietQR: the NAPAS profile of EMVCo merchant-presented QR.

A payload is a run of TLV fields: two-digit tag, two-digit length, value.
Tag 63 closes it with a CRC-16/CCITT-FALSE over everything before the CRC
value, "6304" included. Templates (26–51 merchant account information, 62
additional data, 64 language) hold TLV runs of their own; inside the NAPAS
merchant account information, sub-field 01 (the beneficiary) nests once more.

Errors name the field by its tag path ("59", "38.01.00", "62.08") and say why.
"""

import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
PAYLOAD_FORMAT = "01"
STATIC = "11"
DYNAMIC = "12"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
DEFAULT_CITY = "CAN THO"
MAX_NAME = 25
MAX_CITY = 15
MAX_ADDITIONAL = 25
MAX_NESTED = 99
MAX_ACCOUNT = 19
MAX_AMOUNT_DIGITS = 13
# The model stores payloads up to 512 characters; a printed code must fit.
MAX_PAYLOAD = 512

MERCHANT_INFO_TAGS = frozenset(f"{n:02d}" for n in range(26, 52))
TEMPLATE_TAGS = MERCHANT_INFO_TAGS | {"62", "64"}

# What each tag is, so that an error says more than a number.
FIELD_NAMES = {
    "00": "payload_format",
    "01": "initiation_method",
    "38": "merchant_account",
    "38.00": "guid",
    "38.01": "beneficiary",
    "38.01.00": "bin",
    "38.01.01": "account",
    "38.02": "service",
    "52": "merchant_category",
    "53": "currency",
    "54": "amount",
    "58": "country",
    "59": "merchant_name",
    "60": "merchant_city",
    "61": "postal_code",
    "62": "additional_data",
    "62.08": "reference",
    "63": "crc",
}

_HEADER = re.compile(r"\d{4}")


class VietQRError(ValueError):
    """A payload or an encoder argument breaks a rule; `field` names it."""

    def __init__(self, field: str, reason: str) -> None:
        name = FIELD_NAMES.get(field)
        label = f"{field} ({name})" if name and name != field else field
        super().__init__(f"{label}: {reason}")
        self.field = field
        self.reason = reason


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
        table.append(crc & 0xFFFF)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor)."""
    crc = 0xFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ table[(crc >> 8) ^ byte]
    return crc


def ascii_upper(text: str) -> str:
    """'Nguyễn Thị Lan' → 'NGUYEN THI LAN'; 'Đ' → 'D'. Payloads are ASCII only."""
    text = (text or "").replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_only = stripped.encode("ascii", "ignore").decode("ascii")
    printable = "".join(ch if ch.isprintable() else " " for ch in ascii_only)
    return " ".join(printable.upper().split())


def merchant_name(text: str) -> str:
    """A display name as tag 59 wants it: ASCII upper case, cut at a word to 25."""
    name = ascii_upper(text)
    if len(name) <= MAX_NAME:
        return name
    cut = name[: MAX_NAME + 1].rsplit(" ", 1)[0] if " " in name[: MAX_NAME + 1] else ""
    return (cut or name[:MAX_NAME]).strip()


# --- encoding ------------------------------------------------------------


def _tlv(tag: str, value: str, field: str, max_len: int = MAX_NESTED) -> str:
    if not value:
        raise VietQRError(field, _("không được để trống"))
    if not value.isascii() or not value.isprintable():
        raise VietQRError(field, _("chỉ được dùng ký tự ASCII in được (viết tiếng Việt không dấu)"))
    if len(value) > max_len:
        raise VietQRError(
            field, _("dài %(length)d ký tự, tối đa %(max)d ký tự") % {"length": len(value), "max": max_len}
        )
    return f"{tag}{len(value):02d}{value}"


def encode(
    *,
    bin: str,
    account: str,
    name: str | None,
    city: str | None = DEFAULT_CITY,
    reference: str | None = None,
    amount: int | None = None,
) -> str:
    """A VietQR payload for a transfer to `account` at the acquirer `bin`.

    Name and city are written as ASCII upper case without diacritics. They
    may be None to leave tags 59/60 out, as many published bank codes do.
    With an amount the code is dynamic (01 = "12"), otherwise static ("11").
    """
    bin = (bin or "").strip()
    account = (account or "").strip()
    if not (bin.isdigit() and len(bin) == 6):
        raise VietQRError("38.01.00", _("mã BIN phải gồm đúng 6 chữ số"))
    if not (account.isascii() and account.isalnum()):
        raise VietQRError("38.01.01", _("số tài khoản chỉ gồm chữ cái không dấu và chữ số"))
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0):
        raise VietQRError("54", _("số tiền phải là số nguyên dương (đồng)"))
    beneficiary = _tlv("00", bin, "38.01.00") + _tlv("01", account, "38.01.01", MAX_ACCOUNT)
    merchant_info = (
        _tlv("00", NAPAS_GUID, "38.00") + _tlv("01", beneficiary, "38.01") + _tlv("02", SERVICE_TO_ACCOUNT, "38.02")
    )
    parts = [
        _tlv("00", PAYLOAD_FORMAT, "00"),
        _tlv("01", DYNAMIC if amount is not None else STATIC, "01"),
        _tlv("38", merchant_info, "38"),
        _tlv("53", CURRENCY_VND, "53"),
    ]
    if amount is not None:
        parts.append(_tlv("54", str(amount), "54", MAX_AMOUNT_DIGITS))
    parts.append(_tlv("58", COUNTRY_VN, "58"))
    if name is not None:
        parts.append(_tlv("59", ascii_upper(name), "59", MAX_NAME))
    if city is not None:
        parts.append(_tlv("60", ascii_upper(city), "60", MAX_CITY))
    if reference:
        parts.append(_tlv("62", _tlv("08", reference.strip(), "62.08", MAX_ADDITIONAL), "62"))
    body = "".join(parts) + "6304"
    payload = body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"
    if len(payload) > MAX_PAYLOAD:
        raise VietQRError("payload", _("dài quá %(max)d ký tự") % {"max": MAX_PAYLOAD})
    return payload


# --- decoding ------------------------------------------------------------


def _parse_tlv(text: str, parent: str) -> list[tuple[str, str]]:
    """Split a TLV run; an error names the field whose header or length is bad."""
    fields: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        header = text[pos : pos + 4]
        if not _HEADER.fullmatch(header):
            where = parent or "payload"
            raise VietQRError(
                where, _("tag/độ dài sai định dạng ở vị trí %(pos)d: “%(header)s”") % {"pos": pos, "header": header}
            )
        tag, length = header[:2], int(header[2:])
        path = f"{parent}.{tag}" if parent else tag
        if length == 0:
            raise VietQRError(path, _("độ dài bằng 0"))
        value = text[pos + 4 : pos + 4 + length]
        if len(value) != length:
            raise VietQRError(
                path,
                _("độ dài khai báo %(length)d vượt quá phần dữ liệu còn lại (%(left)d ký tự)")
                % {"length": length, "left": len(value)},
            )
        if any(existing == tag for existing, _v in fields):
            raise VietQRError(path, _("tag xuất hiện hai lần"))
        fields.append((tag, value))
        pos += 4 + length
    return fields


def _nested(value: str, path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fields = _parse_tlv(value, path)
    guid = dict(fields).get("00")
    for tag, sub in fields:
        # Inside NAPAS merchant account information the beneficiary is a TLV run too.
        if path in MERCHANT_INFO_TAGS and tag == "01" and guid == NAPAS_GUID:
            out[tag] = dict(_parse_tlv(sub, f"{path}.01"))
        else:
            out[tag] = sub
    return out


def _check_crc(payload: str, fields: list[tuple[str, str]]) -> str:
    tags = [tag for tag, _v in fields]
    if "63" not in tags:
        raise VietQRError("63", _("thiếu mã kiểm tra CRC"))
    if tags[-1] != "63":
        raise VietQRError("63", _("CRC phải là trường cuối cùng"))
    crc = fields[-1][1]
    if len(crc) != 4 or not all(ch in "0123456789abcdefABCDEF" for ch in crc):
        raise VietQRError("63", _("CRC phải gồm đúng 4 chữ số hệ 16"))
    computed = crc16_ccitt_false(payload[:-4].encode("ascii"))
    if computed != int(crc, 16):
        reason = _("CRC sai: mã ghi %(given)s, tính được %(computed)04X")
        raise VietQRError("63", reason % {"given": crc.upper(), "computed": computed})
    return crc.upper()


def _check_rules(tags: dict[str, Any]) -> None:
    if tags.get("00") != PAYLOAD_FORMAT:
        raise VietQRError("00", _("phải có và bằng “01”"))
    if "01" in tags and tags["01"] not in (STATIC, DYNAMIC):
        raise VietQRError("01", _("phải là “11” (mã tĩnh) hoặc “12” (mã động)"))
    merchant = tags.get("38")
    if not isinstance(merchant, dict) or merchant.get("00") != NAPAS_GUID:
        raise VietQRError("38", _("thiếu thông tin tài khoản VietQR (GUID A000000727)"))
    beneficiary = merchant.get("01")
    if not isinstance(beneficiary, dict) or "00" not in beneficiary or "01" not in beneficiary:
        raise VietQRError("38.01", _("thiếu mã BIN hoặc số tài khoản thụ hưởng"))
    if not (beneficiary["00"].isdigit() and len(beneficiary["00"]) == 6):
        raise VietQRError("38.01.00", _("mã BIN phải gồm đúng 6 chữ số"))
    if len(beneficiary["01"]) > MAX_ACCOUNT:
        raise VietQRError("38.01.01", _("số tài khoản dài quá %(max)d ký tự") % {"max": MAX_ACCOUNT})
    if "53" in tags and not (tags["53"].isdigit() and len(tags["53"]) == 3):
        raise VietQRError("53", _("mã tiền tệ phải gồm 3 chữ số"))
    if "54" in tags and not re.fullmatch(r"\d{1,13}(\.0*)?", tags["54"]):
        raise VietQRError("54", _("số tiền phải là số nguyên đồng"))
    if "58" in tags and not re.fullmatch(r"[A-Z]{2}", tags["58"]):
        raise VietQRError("58", _("mã quốc gia phải gồm 2 chữ cái in hoa"))
    for tag, limit in (("59", MAX_NAME), ("60", MAX_CITY)):
        if tag in tags and len(tags[tag]) > limit:
            raise VietQRError(tag, _("dài quá %(max)d ký tự") % {"max": limit})
    additional = tags.get("62")
    if isinstance(additional, dict):
        for sub, value in additional.items():
            if len(value) > MAX_ADDITIONAL:
                raise VietQRError(f"62.{sub}", _("dài quá %(max)d ký tự") % {"max": MAX_ADDITIONAL})


def decode(payload: str) -> dict[str, Any]:
    """Every field of a payload, nested ones as dicts keyed by sub-tag.

    Tags may come in any order (CRC last) and the CRC may be in lower case.
    Returns {"tags": {...}} with named conveniences beside it: static, bin,
    account, service, currency, amount (int or None), country, name, city,
    reference, crc. Raises VietQRError naming the faulty field.
    """
    payload = (payload or "").strip()
    if not payload:
        raise VietQRError("payload", _("không được để trống"))
    if not payload.isascii() or not payload.isprintable():
        raise VietQRError("payload", _("chỉ được chứa ký tự ASCII in được"))
    fields = _parse_tlv(payload, "")
    crc = _check_crc(payload, fields)
    tags: dict[str, Any] = {}
    for tag, value in fields:
        tags[tag] = _nested(value, tag) if tag in TEMPLATE_TAGS else value
    _check_rules(tags)
    merchant = tags["38"]
    additional = tags.get("62")
    if not isinstance(additional, dict):
        additional = {}
    amount = tags.get("54")
    return {
        "tags": tags,
        "static": tags.get("01", STATIC) == STATIC,
        "guid": merchant["00"],
        "bin": merchant["01"]["00"],
        "account": merchant["01"]["01"],
        "service": merchant.get("02"),
        "currency": tags.get("53"),
        "amount": int(amount.split(".")[0]) if amount else None,
        "country": tags.get("58"),
        "name": tags.get("59"),
        "city": tags.get("60"),
        "reference": additional.get("08"),
        "crc": crc,
    }
