"""What PostgreSQL text can hold: no NUL, and no half of a UTF-16 surrogate
pair (it has no UTF-8 form). JSON can carry both through a \\u escape."""

import re
import unicodedata

UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def json_storable(data: object) -> bool:
    """No string of the parsed JSON document, key or value, holds NUL or a lone surrogate."""
    pending: list = [data]
    while pending:  # a loop, not recursion: the document may be nested deep
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str) and UNSTORABLE.search(item):
            return False
    return True


def sort_key(text: str) -> tuple[str, str]:
    """Vietnamese names in the order people look them up: letters before
    their marks (Ă, Â, Đ, Ơ, Ư and the tones count after the plain letter
    only to break a tie), not code-point order, which puts "Ô Môn" after "Vĩnh Thạnh"."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))
    return bare.replace("đ", "d"), text


def account_holder_name(full_name: str) -> str:
    """A person's name as a Vietnamese banking app shows the holder of the
    account a VietQR code pays: capitals without diacritics, "Nguyễn Thị
    Hồng Nhung" → "NGUYEN THI HONG NHUNG" (đ reads D)."""
    name = full_name.replace("đ", "d").replace("Đ", "D")
    plain = "".join(ch for ch in unicodedata.normalize("NFD", name) if not unicodedata.combining(ch))
    return " ".join(plain.upper().split())
