"""Amounts read aloud in Vietnamese: 45000 → "bốn mươi lăm nghìn đồng".

Written here rather than taken from num2words: its Vietnamese reads 24 as
"hai mươi bốn" and drops the empty hundreds of an inner group (2.005.000
as "hai triệu năm nghìn"), where a loa thanh toán says "hai mươi tư" and
"hai triệu không trăm lẻ năm nghìn". The rules of the spoken form:

- "mốt" for a final 1 after "mươi" (21 hai mươi mốt), "một" otherwise;
- "tư" for a final 4 after "mươi" (24 hai mươi tư), "bốn" otherwise;
- "lăm" for a final 5 after "mười"/"mươi" (15 mười lăm), "năm" otherwise;
- "lẻ" for an empty tens place before a unit (105 một trăm lẻ năm);
- a group of three after the first is read in full, with "không trăm".
"""

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
# Group names for 10^3, 10^6, 10^9; beyond that the tỷ repeats (nghìn tỷ).
GROUPS = ("", "nghìn", "triệu")
BILLION = 10**9


def _below_thousand(n: int, *, full: bool) -> list[str]:
    """Words of 0 < n < 1000; `full` reads the hundreds even when empty."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("lẻ")
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units == 0:
        return words
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 4 and tens > 1:
        words.append("tư")
    elif units == 5 and tens > 0:
        words.append("lăm")
    else:
        words.append(DIGITS[units])
    return words


def _number_words(n: int, *, leading: bool = True) -> list[str]:
    if n >= BILLION:
        high, low = divmod(n, BILLION)
        above = [*_number_words(high, leading=leading), "tỷ"]
        return above + _number_words(low, leading=False) if low else above
    groups = [n // 10**6, n // 1000 % 1000, n % 1000]
    words: list[str] = []
    for index, group in enumerate(groups):
        if not group:
            continue
        words += _below_thousand(group, full=bool(words) or not leading)
        name = GROUPS[2 - index]
        if name:
            words.append(name)
    return words


def number_in_words(n: int) -> str:
    """A whole number ≥ 0 in Vietnamese words, as spoken."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"a whole number of at least 0 is needed, got {n!r}")
    if n == 0:
        return DIGITS[0]
    return " ".join(_number_words(n))


def amount_in_words(amount: int) -> str:
    """An amount of đồng as a payment speaker reads it: "bốn mươi lăm nghìn đồng"."""
    return f"{number_in_words(amount)} đồng"
