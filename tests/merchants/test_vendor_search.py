"""Finding a vendor as people type: any case, with or without diacritics
(đ/Đ too), and a stall by part of its number; in the pages and the API."""

import unicodedata

import pytest
from django.db import connection

from core.text import fold
from merchants import services
from merchants.models import Vendor
from tests.conftest import vendor_payload

pytestmark = pytest.mark.django_db


def register(board, market, **fields) -> Vendor:
    data = vendor_payload(market, **fields)
    for key in ("market", "consent_given"):
        data.pop(key)
    return services.vendor_register(actor=board, market=market, data=data, consent_given=True)


@pytest.fixture
def people(board_a, market_a) -> dict[str, Vendor]:
    return {
        "chau": register(
            board_a,
            market_a,
            stall_number="A-161",
            full_name="Châu Hồng Cúc",
            trade_name="",
            phone="0912000161",
            national_id="092186000161",
        ),
        "nguyen": register(
            board_a,
            market_a,
            stall_number="C-7",
            full_name="Nguyễn Thị Cúc",
            trade_name="Trái cây Cúc",
            phone="0912000007",
            national_id="092186000007",
        ),
        "duc": register(
            board_a,
            market_a,
            stall_number="B301",
            full_name="Đặng Văn Đức",
            trade_name="Thịt heo Đức",
            phone="0987654321",
            national_id="092186000301",
        ),
    }


def found(client, term: str) -> list[str]:
    items = client.get("/api/v1/vendors", {"search": term}).json()["items"]
    return sorted(item["full_name"] for item in items)


@pytest.mark.parametrize(
    ("term", "names"),
    [
        ("cuc", ["Châu Hồng Cúc", "Nguyễn Thị Cúc"]),
        ("Cúc", ["Châu Hồng Cúc", "Nguyễn Thị Cúc"]),
        ("chau hong cuc", ["Châu Hồng Cúc"]),
        ("CHÂU HỒNG CÚC", ["Châu Hồng Cúc"]),
        (unicodedata.normalize("NFD", "châu hồng cúc"), ["Châu Hồng Cúc"]),  # as some keyboards send it
        ("cuc chau", ["Châu Hồng Cúc"]),
        ("  hong   CUC ", ["Châu Hồng Cúc"]),
        ("nguy", ["Nguyễn Thị Cúc"]),
        ("trai cay", ["Nguyễn Thị Cúc"]),
        ("dang van duc", ["Đặng Văn Đức"]),
        ("ĐẶNG ĐỨC", ["Đặng Văn Đức"]),
        ("đức", ["Đặng Văn Đức"]),
        ("thit heo", ["Đặng Văn Đức"]),
        ("161", ["Châu Hồng Cúc"]),
        ("A-16", ["Châu Hồng Cúc"]),
        ("a16", ["Châu Hồng Cúc"]),
        ("a-161", ["Châu Hồng Cúc"]),
        ("301", ["Đặng Văn Đức"]),
        ("b-30", ["Đặng Văn Đức"]),
        ("0987 654 321", ["Đặng Văn Đức"]),
        ("4321", ["Đặng Văn Đức"]),
        ("hung", []),
        ("cuc hung", []),
        ("--", []),
        ("%", []),
        ("cuc:* | hung", []),  # no operator of the query language gets through
    ],
)
def test_the_api_search_ignores_case_and_diacritics(api_for, board_a, people, term, names):
    assert found(api_for(board_a), term) == names


def test_the_vendor_code_finds_its_vendor(api_for, board_a, people):
    assert found(api_for(board_a), people["duc"].code.lower()) == ["Đặng Văn Đức"]


def test_the_vendor_list_page_searches_the_same_way(client, board_a, people):
    client.force_login(board_a)

    page = client.get("/vendors/", {"q": "chau hong cuc"}).content.decode()

    assert "Châu Hồng Cúc" in page and "Nguyễn Thị Cúc" not in page and "Đặng Văn Đức" not in page


def test_a_board_searches_only_its_markets(api_for, board_b, people):
    assert found(api_for(board_b), "cuc") == []


def test_a_changed_name_is_found_by_its_new_words(api_for, board_a, people):
    services.vendor_update(actor=board_a, vendor=people["duc"], data={"full_name": "Đỗ Văn Hải"})

    assert found(api_for(board_a), "do van hai") == ["Đỗ Văn Hải"]
    assert found(api_for(board_a), "dang") == []


def test_the_database_folds_every_vietnamese_letter_as_python_does(people):
    from core.text import VIETNAMESE_LETTERS

    vendor = people["chau"]
    half = len(VIETNAMESE_LETTERS) // 2
    first, second = VIETNAMESE_LETTERS[:half], VIETNAMESE_LETTERS[half:]
    # Not a valid name, so written past the services: the fold is the database's.
    Vendor.objects.filter(pk=vendor.pk).update(full_name=first, trade_name=second)
    vendor.refresh_from_db()

    assert vendor.search_key.split()[:2] == [fold(first), fold(second)]
    assert fold(first + second).isascii() and fold(first + second).isalpha()


def test_the_search_can_use_the_words_index(operator, people):
    from merchants import selectors

    with connection.cursor() as cursor:
        # Three rows: a scan is cheaper than any index, so only a bitmap scan
        # of an index the condition names is left to the planner.
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        sql, params = selectors.vendor_search(operator, search="chau hong").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan; RESET enable_indexscan")

    assert "Bitmap Index Scan on vendor_search_words" in plan, plan
