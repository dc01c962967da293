"""The dashboard pages, the exports and the monthly PDF show the figures of
the selectors, in Vietnamese formats, to the people allowed to see them."""

import csv
import io
import re

import pypdf
import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.adoption.kit import TODAY, days_ago, local, make_vendor, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(frozen, market_a, market_b):
    lan = make_vendor(market_a)
    payment = record(lan, amount=1_250_000, at=local(TODAY, 9))
    record(lan, amount=250_000, at=local(TODAY, 10), kind="refund", original=payment)
    record(make_vendor(market_b), amount=40_000, at=local(days_ago(9), 9), partner="viettel")
    return lan


def test_dashboard_for_the_department_shows_figures_and_charts(client, department, paid):
    client.force_login(department)
    response = client.get("/dashboard/", {"date": TODAY.isoformat(), "period": "month"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "1.040.000 ₫" in page  # the city's net value
    assert "2 <small>/ 109 chợ</small>" in page  # markets live
    assert page.count("<svg") == 2  # trend and partner shares; the per-market ranking is text
    assert page.count('<li><span class="rank">') == 109
    assert "<script" not in page and "cdn" not in page.lower()
    assert "/dashboard/markets/NK01/" in page
    assert "0,3%" in page  # NK02: 1 of 380 stalls


def test_board_is_sent_to_its_market_and_cannot_see_others(client, board_a, market_a, market_b, paid):
    client.force_login(board_a)

    assert client.get("/dashboard/").url.startswith(f"/dashboard/markets/{market_a.code}/")
    own = client.get(f"/dashboard/markets/{market_a.code}/", {"date": TODAY.isoformat()})
    assert own.status_code == 200
    assert "1.000.000 ₫" in own.content.decode()
    assert client.get(f"/dashboard/markets/{market_b.code}/").status_code == 404
    assert client.get("/dashboard/export/markets.csv").status_code == 404
    assert client.get("/dashboard/report.pdf").status_code == 404


def test_anonymous_is_asked_to_log_in(client):
    assert client.get("/dashboard/").status_code == 302


def test_a_bad_date_is_explained_and_the_month_shown(client, department, frozen):
    client.force_login(department)
    page = client.get("/dashboard/", {"date": "31/02/2026"}).content.decode()
    assert "Ngày không hợp lệ" in page


def test_csv_and_xlsx_carry_the_same_figures(client, department, market_a, paid):
    client.force_login(department)
    query = {"date": TODAY.isoformat(), "period": "month"}

    markets_csv = client.get("/dashboard/export/markets.csv", query)
    xlsx = client.get("/dashboard/export/all.xlsx", query)

    assert markets_csv["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(markets_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 109
    nk01 = next(r for r in rows if r["Mã chợ"] == market_a.code)
    assert (nk01["Giá trị thuần (đồng)"], nk01["Tỷ lệ giao dịch (trên số sạp)"], nk01["Thí điểm"]) == (
        "1000000",
        "0,2%",
        "Có",
    )
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == [
        "Tổng hợp",
        "Theo chợ",
        "Theo phường, xã hiện nay",
        "Theo quận, huyện cũ",
        "Theo ví",
        "Xu hướng theo tuần",
    ]
    sheet = book["Theo chợ"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == market_a.code)
    assert row[header.index("Giá trị thuần (đồng)")] == 1_000_000
    assert abs(row[header.index("Tỷ lệ giao dịch (trên số sạp)")] - 0.002) < 1e-9
    assert client.get("/dashboard/export/nothing.csv").status_code == 404


def test_api_export_for_integrations(api_for, department, paid):
    response = api_for(department).get("/api/v1/adoption/export", {"format": "csv", "table": "cohorts"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == "Toàn thành phố" and rows[1][1] == "109"
    bad = api_for(department).get("/api/v1/adoption/export", {"format": "ods"})
    assert bad.status_code == 422 and "format" in bad.json()["errors"]


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_monthly_report_command_writes_a_vietnamese_pdf(tmp_path, paid):
    out = tmp_path / "bao-cao.pdf"
    call_command("adoption_report", "--month", "2026-11", "--out", str(out))

    text = _pdf_text(out.read_bytes())
    assert "Báo cáo tháng 11/2026" in text
    assert "01/11/2026" in text and "20/11/2026" in text
    assert "1.040.000 ₫" in text  # the city's net value, the same as the dashboard
    # NK01's row of the market table: 420 stalls, 1 transacting, 0,2%.
    assert re.search(r"Chợ Tân An \(NK01\)\s+✓\s+420\s+1\s+0,2%", text), text
    assert "Mọi chợ thí điểm có 50% số sạp giao dịch" in text


def test_monthly_report_refuses_a_bad_or_future_month(tmp_path, frozen):
    with pytest.raises(CommandError, match="--month"):
        call_command("adoption_report", "--month", "2026-13", "--out", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="--month"):
        call_command("adoption_report", "--month", "2026-12", "--out", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_monthly_report_downloads_from_the_dashboard(client, operator, paid):
    client.force_login(operator)
    response = client.get("/dashboard/report.pdf", {"month": "2026-10"})
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "Báo cáo tháng 10/2026" in text and "31/10/2026" in text
