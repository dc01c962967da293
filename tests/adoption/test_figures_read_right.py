"""What a department officer reads: every figure says what it counts, every
rate shows the numbers it divides, a figure that cannot be known says why,
and the downloads are named in Vietnamese and open in a Vietnamese Excel."""

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pypdf
import pytest
from openpyxl import load_workbook

from adoption import services
from tests.adoption.kit import TODAY, days_ago, local, make_vendor, record

pytestmark = pytest.mark.django_db

QUERY = {"date": TODAY.isoformat(), "period": "month"}
SEVEN_DAYS = "Tiểu thương có giao dịch trong 7 ngày"


@pytest.fixture
def nk01(frozen, market_a):
    """Four vendors registered at NK01's 420 stalls, three with a code in
    use, two of them paid this week."""
    paid = [make_vendor(market_a), make_vendor(market_a)]
    make_vendor(market_a)
    make_vendor(market_a, with_code=False)
    for vendor in paid:
        record(vendor, amount=100_000, at=local(TODAY, 9))
    return market_a


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_vendor_counts_are_labelled_as_vendors_everywhere(client, department, nk01):
    client.force_login(department)
    dashboard = client.get("/dashboard/", QUERY).content.decode()
    market = client.get(f"/dashboard/markets/{nk01.code}/", QUERY).content.decode()
    cohorts = _csv(client.get("/dashboard/export/cohorts.csv", QUERY))
    book = load_workbook(io.BytesIO(client.get("/dashboard/export/all.xlsx", QUERY).content))
    pdf = _pdf_text(client.get("/dashboard/report.pdf", {"month": "2026-11"}).content)

    for page in (dashboard, market):
        assert not re.search(r"GD \d+ ngày|Tỷ lệ GD|Giao dịch trong 7 ngày", page)
    assert SEVEN_DAYS in dashboard and SEVEN_DAYS in market
    assert SEVEN_DAYS in cohorts[0] and "Giao dịch trong 7 ngày" not in cohorts[0]
    assert SEVEN_DAYS in [c.value for c in book["Tổng hợp"][1]]
    assert SEVEN_DAYS in re.sub(r"\s+", " ", pdf)
    assert not re.search(r"GD \d+ ngày|Tỷ lệ GD|TĐ", pdf)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _rates_agree_with_their_numbers(text: str) -> int:
    """Every "12,5% 190 / 420" on a page: the rate is the quotient shown."""
    found = re.findall(r"(\d[\d.]*,\d)% (\d[\d.]*) / (\d[\d.]*)", text)
    for rate, numerator, denominator in found:
        n, d = int(numerator.replace(".", "")), int(denominator.replace(".", ""))
        exact = (Decimal(100 * n) / Decimal(d)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        assert rate == str(exact).replace(".", ","), (rate, numerator, denominator)
    return len(found)


def test_each_rate_shows_its_own_numerator_and_denominator(client, department, nk01):
    client.force_login(department)
    market = _text(client.get(f"/dashboard/markets/{nk01.code}/", QUERY).content.decode())
    dashboard = _text(client.get("/dashboard/", QUERY).content.decode())

    # 3 vendors with a code over 420 stalls is 0,7%; over the 4 registered it would be 75,0%.
    assert "0,7% 3 / 420 (tiểu thương có mã QR đang dùng / số sạp)" in market
    # 2 vendors transacting over 420 stalls.
    assert "0,5% 2 / 420 (tiểu thương có giao dịch trong 30 ngày / số sạp)" in market
    assert "3 / 4 " not in market
    # The pilot market's projection names the target it projects.
    assert "Tỷ lệ giao dịch đạt mục tiêu 50%:" in market
    assert _rates_agree_with_their_numbers(market) == 2
    # The cards, the summary (3 cohorts × 2 rates), 109 markets × 2 rates and the places.
    assert _rates_agree_with_their_numbers(dashboard) > 2 + 6 + 109 * 2


def test_monthly_pdf_says_why_vendor_counts_of_a_past_month_are_unknown(client, department, nk01):
    client.force_login(department)

    def october() -> str:
        return re.sub(r"\s+", " ", _pdf_text(client.get("/dashboard/report.pdf", {"month": "2026-10"}).content))

    unknown = october()
    assert re.search(r"Tiểu thương đã đăng ký — — —", unknown), unknown[:1500]
    assert "không có ảnh chụp sổ chợ của ngày 31/10/2026" in unknown
    page = _text(client.get("/dashboard/", {"date": "2026-10-31", "period": "month"}).content.decode())
    assert "không có ảnh chụp sổ chợ của ngày 31/10/2026" in page

    services.register_record(day=days_ago(20))  # 31/10/2026, as the evening beat records it
    known = october()
    assert re.search(r"Tiểu thương đã đăng ký 4 4 0", known), known[:1500]
    assert "ảnh chụp sổ chợ" not in known


def test_download_buttons_are_named_in_vietnamese(client, department, nk01):
    client.force_login(department)
    page = client.get("/dashboard/", QUERY).content.decode()
    buttons = re.findall(r'<a class="button[^"]*" href="/dashboard/(?:export|report)[^"]*">([^<]+)</a>', page)

    assert buttons == [
        "Bảng tính Excel (XLSX): mọi bảng",
        "CSV: Tổng hợp",
        "CSV: Theo chợ",
        "CSV: Theo phường, xã hiện nay",
        "CSV: Theo quận, huyện cũ",
        "CSV: Theo ví",
        "CSV: Xu hướng theo tuần",
        "Báo cáo tháng (PDF)",
    ]


def test_csv_opens_as_columns_in_excel_with_vietnamese_settings(client, department, nk01):
    """Such an Excel splits a UTF-8 CSV with a BOM on semicolons and reads
    "0,5%" as a number: no field may hold a semicolon, and none is quoted."""
    client.force_login(department)
    response = client.get("/dashboard/export/markets.csv", QUERY)
    raw = response.content

    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert len(lines) == 110 and all(len(line.split(";")) == len(header) for line in lines)
    assert '"' not in raw.decode("utf-8-sig")
    assert csv.Sniffer().sniff(lines[0] + "\n" + lines[1]).delimiter == ";"
    row = dict(zip(header, next(line for line in lines if line.startswith(nk01.code)).split(";"), strict=True))
    assert (row["Tên chợ"], row["Tỷ lệ giao dịch (trên số sạp)"], row[SEVEN_DAYS]) == ("Chợ Tân An", "0,5%", "2")


def test_api_gives_semicolon_csv_and_comma_csv_on_request(api_for, department, nk01):
    client = api_for(department)
    default = client.get("/api/v1/adoption/export", {**QUERY, "format": "csv", "table": "cohorts"})
    comma = client.get("/api/v1/adoption/export", {**QUERY, "format": "csv", "table": "cohorts", "separator": "comma"})
    tab = client.get("/api/v1/adoption/export", {**QUERY, "format": "csv", "table": "cohorts", "separator": "tab"})

    semicolon_rows = _csv(default)
    comma_rows = list(csv.reader(io.StringIO(comma.content.decode("utf-8-sig"))))
    assert semicolon_rows == comma_rows and len(comma_rows) == 4
    assert comma_rows[1][:2] == ["Toàn thành phố", "109"]
    assert comma.content.decode("utf-8-sig").count(";") == 0
    assert tab.status_code == 422 and "separator" in tab.json()["errors"]


def _between(text: str, first: str, last: str) -> str:
    return text[text.index(first) : text.index(last)]


def test_monthly_pdf_charts_markets_by_name_against_the_target(client, department, nk01, market_b):
    record(make_vendor(market_b), amount=40_000, at=local(days_ago(3), 9))
    client.force_login(department)
    text = _pdf_text(client.get("/dashboard/report.pdf", {"month": "2026-11"}).content)

    chart = _between(text, "4. Tỷ lệ giao dịch theo chợ", "5. Tỷ trọng")
    assert not re.search(r"NK\d\d", chart), chart
    assert "Mục tiêu 50,0%" in chart
    # Named and labelled with their values: NK01 2 of 420 stalls, NK02 1 of 380.
    assert re.search(r"Chợ Tân An.*0,5%", chart, re.S) or re.search(r"0,5%.*Chợ Tân An", chart, re.S), chart
    assert market_b.name in chart and "0,3%" in chart
    ranking = _between(text, "6. Thi đua", "7. Toàn bộ các chợ")
    assert "Chợ Tân An" in ranking and not re.search(r"NK\d\d", ranking)


def test_api_schema_says_what_each_count_counts(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    figures = next(
        s for name, s in schema.items() if name.endswith("FiguresOut") and "transacting_7d" in s["properties"]
    )
    assert "Vendors (not payments)" in figures["properties"]["transacting_7d"]["description"]
    assert "/ stalls" in figures["properties"]["onboarding_rate"]["description"]
