"""VietQR: the NAPAS profile of EMVCo merchant-presented QR.

A payload is a run of TLV fields: two-digit tag, two-digit length, value.
Tag 63 closes it with a CRC-16/CCITT-FALSE over everything before the CRC
value, "6304" included.
"""

import unicodedata
from dataclasses import dataclass

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
DEFAULT_CITY = "CAN THO"
MAX_NAME = 25
MAX_CITY = 15
MAX_ADDITIONAL = 25
MAX_NESTED = 99

# Tags whose value is itself a TLV run (merchant account info 26–51, 62, 64).
_TEMPLATE_TAGS = {f"{n:02d}" for n in range(26, 52)} | {"62", "64"}


class VietQRError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def crc16_ccitt_false(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def ascii_upper(text: str) -> str:
    """'Nguyễn Thị Lan' → 'NGUYEN THI LAN'; 'Đ' → 'D'. Payloads are ASCII only."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_only = stripped.encode("ascii", "ignore").decode("ascii")
    return " ".join(ascii_only.upper().split())


def _tlv(tag: str, value: str, field: str, max_len: int = MAX_NESTED) -> str:
    if not value:
        raise VietQRError(field, "must not be empty")
    if not value.isascii() or not value.isprintable():
        raise VietQRError(field, "must be printable ASCII (write Vietnamese without diacritics)")
    if len(value) > max_len:
        raise VietQRError(field, f"is {len(value)} characters, at most {max_len} allowed")
    return f"{tag}{len(value):02d}{value}"


def encode(
    *,
    bin: str,
    account: str,
    name: str,
    city: str = DEFAULT_CITY,
    reference: str | None = None,
    amount: int | None = None,
) -> str:
    if not (bin and bin.isdigit() and len(bin) == 6):
        raise VietQRError("bin", "must be 6 digits")
    if not (account and account.isalnum()):
        raise VietQRError("account", "must be letters and digits only")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0):
        raise VietQRError("amount", "must be a positive whole number of đồng")
    beneficiary = _tlv("00", bin, "bin") + _tlv("01", account, "account", 19)
    merchant_info = (
        _tlv("00", NAPAS_GUID, "guid")
        + _tlv("01", beneficiary, "beneficiary")
        + _tlv("02", SERVICE_TO_ACCOUNT, "service")
    )
    parts = [
        _tlv("00", "01", "payload_format"),
        _tlv("01", "12" if amount is not None else "11", "initiation_method"),
        _tlv("38", merchant_info, "merchant_account"),
        _tlv("53", CURRENCY_VND, "currency"),
    ]
    if amount is not None:
        parts.append(_tlv("54", str(amount), "amount", 13))
    parts.append(_tlv("58", COUNTRY_VN, "country"))
    parts.append(_tlv("59", name, "merchant_name", MAX_NAME))
    parts.append(_tlv("60", city, "merchant_city", MAX_CITY))
    if reference:
        parts.append(_tlv("62", _tlv("08", reference, "reference", MAX_ADDITIONAL), "additional_data"))
    body = "".join(parts) + "6304"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


@dataclass(frozen=True)
class Field:
    tag: str
    value: str | list["Field"]


def _parse_tlv(text: str, where: str) -> list[Field]:
    fields: list[Field] = []
    pos = 0
    while pos < len(text):
        header = text[pos : pos + 4]
        if len(header) < 4 or not header.isdigit():
            raise VietQRError(where, f"malformed tag/length at position {pos}")
        tag, length = header[:2], int(header[2:])
        value = text[pos + 4 : pos + 4 + length]
        if len(value) != length:
            raise VietQRError(
                f"{where}.{tag}" if where != "payload" else tag, f"length {length} runs past the end of the data"
            )
        fields.append(Field(tag, value))
        pos += 4 + length
    return fields


def _expand(fields: list[Field], where: str) -> dict:
    out: dict = {}
    for field in fields:
        value = field.value
        if field.tag in _TEMPLATE_TAGS and where == "payload":
            out[field.tag] = _expand_nested(value, field.tag)
        else:
            out[field.tag] = value
    return out


def _expand_nested(value: str, path: str) -> dict:
    out: dict = {}
    for sub in _parse_tlv(value, path):
        # Inside merchant account info, sub-tag 01 (beneficiary) nests once more.
        if path in {f"{n:02d}" for n in range(26, 52)} and sub.tag == "01" and _looks_like_tlv(sub.value):
            out[sub.tag] = {s.tag: s.value for s in _parse_tlv(sub.value, f"{path}.01")}
        else:
            out[sub.tag] = sub.value
    return out


def _looks_like_tlv(value: str) -> bool:
    try:
        fields = _parse_tlv(value, "probe")
    except VietQRError:
        return False
    return bool(fields) and all(f.tag.isdigit() for f in fields)


def decode(payload: str) -> dict:
    """Every field of a payload, nested ones as dicts keyed by sub-tag.

    Returns {"tags": {...}, "bin", "account", "name", "city", "reference",
    "amount", "static"} for convenience. Raises VietQRError naming the fault.
    """
    payload = payload.strip()
    if not payload.isascii():
        raise VietQRError("payload", "must be ASCII")
    fields = _parse_tlv(payload, "payload")
    tags = [f.tag for f in fields]
    if "63" not in tags:
        raise VietQRError("63", "CRC field is missing")
    if tags.count("63") > 1 or tags[-1] != "63":
        raise VietQRError("63", "CRC must be the last field")
    crc_value = fields[-1].value
    if len(crc_value) != 4:
        raise VietQRError("63", "CRC must be 4 hex digits")
    try:
        expected = int(crc_value, 16)
    except ValueError as exc:
        raise VietQRError("63", "CRC must be 4 hex digits") from exc
    actual = crc16_ccitt_false(payload[:-4].encode("ascii"))
    if actual != expected:
        raise VietQRError("63", f"CRC mismatch: payload says {crc_value.upper()}, computed {actual:04X}")
    if len(set(tags)) != len(tags):
        raise VietQRError("payload", "a tag appears twice")
    expanded = _expand(fields, "payload")
    merchant = expanded.get("38") or {}
    beneficiary = merchant.get("01") if isinstance(merchant, dict) else None
    beneficiary = beneficiary if isinstance(beneficiary, dict) else {}
    additional = expanded.get("62") if isinstance(expanded.get("62"), dict) else {}
    amount = expanded.get("54")
    return {
        "tags": expanded,
        "static": expanded.get("01") == "11",
        "guid": merchant.get("00") if isinstance(merchant, dict) else None,
        "bin": beneficiary.get("00"),
        "account": beneficiary.get("01"),
        "service": merchant.get("02") if isinstance(merchant, dict) else None,
        "currency": expanded.get("53"),
        "amount": int(amount) if amount and amount.isdigit() else amount,
        "country": expanded.get("58"),
        "name": expanded.get("59"),
        "city": expanded.get("60"),
        "reference": additional.get("08"),
        "crc": crc_value.upper(),
    }
