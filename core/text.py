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


# --- folding for search --------------------------------------------------
#
# People type names without diacritics and in any case ("chau hong cuc" for
# "Châu Hồng Cúc"). Every precomposed Vietnamese letter, with its ASCII
# base: PostgreSQL folds stored text with translate() over these two strings
# (immutable, so a stored generated column can hold it; the unaccent
# extension is neither immutable nor in every server) and Python folds a
# search term with the same table, so both sides agree letter for letter.
# đ/Đ has no decomposition, which is why a table and not NFD is the rule.
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")


def _vietnamese_letters() -> tuple[str, str]:
    accented, plain = ["đĐ"], ["dD"]
    for base in "aăâeêioôơuưy":
        for letter in (base, base.upper()):
            ascii_base = unicodedata.normalize("NFD", letter)[0]
            for tone in _TONES:
                composed = unicodedata.normalize("NFC", letter + tone)
                if composed != ascii_base and len(composed) == 1:
                    accented.append(composed)
                    plain.append(ascii_base)
    return "".join(accented), "".join(plain)


VIETNAMESE_LETTERS, VIETNAMESE_ASCII = _vietnamese_letters()
_FOLD_TABLE = str.maketrans(VIETNAMESE_LETTERS, VIETNAMESE_ASCII)
# What is left between words once folded: only ASCII letters and digits count.
FOLD_SEPARATORS = "[^a-z0-9]+"
_SEPARATORS = re.compile(FOLD_SEPARATORS)


def fold(text: str) -> str:
    """Lower case ASCII words separated by single spaces: "Châu Hồng-Cúc" →
    "chau hong cuc". The same fold as `merchants.models.Vendor.search_key`."""
    ascii_text = unicodedata.normalize("NFC", text).translate(_FOLD_TABLE)
    lowered = "".join(ch.lower() if ch.isascii() else ch for ch in ascii_text)
    return _SEPARATORS.sub(" ", lowered).strip()
