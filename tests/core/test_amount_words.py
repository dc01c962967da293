"""The amount a stall screen speaks, read as a Vietnamese payment speaker reads it."""

import pytest

from core.amount_words import amount_in_words, number_in_words
from core.text import account_holder_name


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (1_000, "một nghìn"),
        (10_000, "mười nghìn"),
        (20_000, "hai mươi nghìn"),
        (100_000, "một trăm nghìn"),
        (500_000, "năm trăm nghìn"),
    ],
)
def test_round_thousands(amount: int, words: str) -> None:
    assert number_in_words(amount) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (101, "một trăm lẻ một"),
        (105, "một trăm lẻ năm"),
        (104_000, "một trăm lẻ bốn nghìn"),
        (208_000, "hai trăm lẻ tám nghìn"),
    ],
)
def test_an_empty_tens_place_reads_le(amount: int, words: str) -> None:
    assert number_in_words(amount) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (21_000, "hai mươi mốt nghìn"),
        (11_000, "mười một nghìn"),
        (1_000_001, "một triệu không trăm lẻ một"),
        (31, "ba mươi mốt"),
    ],
)
def test_a_final_one_after_muoi_reads_mot_with_a_sharp_tone(amount: int, words: str) -> None:
    assert number_in_words(amount) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (24_000, "hai mươi tư nghìn"),
        (14_000, "mười bốn nghìn"),
        (4_000, "bốn nghìn"),
        (104, "một trăm lẻ bốn"),
    ],
)
def test_a_final_four_after_muoi_reads_tu(amount: int, words: str) -> None:
    assert number_in_words(amount) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (45_000, "bốn mươi lăm nghìn"),
        (15_000, "mười lăm nghìn"),
        (5_000, "năm nghìn"),
        (105, "một trăm lẻ năm"),
        (55_000, "năm mươi lăm nghìn"),
    ],
)
def test_a_final_five_after_muoi_reads_lam(amount: int, words: str) -> None:
    assert number_in_words(amount) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (1_000_000, "một triệu"),
        (1_250_000, "một triệu hai trăm năm mươi nghìn"),
        (2_005_000, "hai triệu không trăm lẻ năm nghìn"),
        (10_050_000, "mười triệu không trăm năm mươi nghìn"),
        (999_999_999, "chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín"),
        (1_000_000_000, "một tỷ"),
        (3_000_045_000, "ba tỷ không trăm bốn mươi lăm nghìn"),
        (1_000_000_000_000, "một nghìn tỷ"),
    ],
)
def test_millions_and_beyond(amount: int, words: str) -> None:
    assert number_in_words(amount) == words


def test_an_amount_ends_in_dong() -> None:
    assert amount_in_words(45_000) == "bốn mươi lăm nghìn đồng"


@pytest.mark.parametrize("bad", [-1, 1.5, True, "45000"])
def test_only_whole_numbers_are_read(bad: object) -> None:
    with pytest.raises(ValueError):
        number_in_words(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Nguyễn Thị Hồng Nhung", "NGUYEN THI HONG NHUNG"),
        ("Đặng  Văn Đức", "DANG VAN DUC"),
        ("Trương Thị Ngọc Hoà", "TRUONG THI NGOC HOA"),
    ],
)
def test_a_payee_name_reads_as_banking_apps_show_it(name: str, shown: str) -> None:
    assert account_holder_name(name) == shown
