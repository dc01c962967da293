"""The reconciliation API and pages: upload, runs, exceptions, resolve,
exports; boards see their own market's exceptions, read-only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from reconciliation.models import ExceptionStatus, ReconciliationException, SettlementFile
from tests.reconciliation.kit import DAY, at, record, vnpt_file, vnpt_line

pytestmark = pytest.mark.django_db

NAME = "VNPT_SETTLEMENT_20261120.csv"


@pytest.fixture
def night(lan, hoa, frozen_now, operator, django_capture_on_commit_callbacks):
    """A VNPT night with one difference at market A and one at market B, uploaded through the API."""
    record("vnpt", "V-A", 30000, at(DAY, 9), vendor=lan)
    record("vnpt", "V-B", 20000, at(DAY, 10), vendor=hoa, account="0913000111")
    content = vnpt_file(vnpt_line("V-A", 31000, at(DAY, 9)), vnpt_line("V-B", 25000, at(DAY, 10), account="0913000111"))
    return content


def upload(api, content: bytes, name: str = NAME):
    return api.upload("/api/v1/reconciliation/files", {"file": SimpleUploadedFile(name, content)})


def test_operator_uploads_a_file_and_its_day_is_reconciled(
    api_for, operator, night, django_capture_on_commit_callbacks
):
    api = api_for(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api, night)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True and body["file"]["line_count"] == 2

    runs = api.get("/api/v1/reconciliation/runs", {"partner": "vnpt"}).json()["items"]
    assert len(runs) == 1
    summary = runs[0]
    assert summary["outcomes"]["amount_differs"] == {"count": 2, "total": 56000}
    assert summary["exceptions"] == 2

    again = upload(api, night)
    assert again.status_code == 200 and again.json()["created"] is False
    assert SettlementFile.objects.count() == 1


def test_a_corrupt_upload_answers_422_naming_line_and_field(api_for, operator, night):
    response = upload(api_for(operator), night.replace(b"31000", b"31000.5"))

    assert response.status_code == 422
    body = response.json()
    assert "amount" in body["errors"] and "Dòng 2" in body["errors"]["amount"][0]
    assert not SettlementFile.objects.exists()


def test_run_detail_exceptions_and_resolve(api_for, operator, night, django_capture_on_commit_callbacks):
    api = api_for(operator)
    with django_capture_on_commit_callbacks(execute=True):
        upload(api, night)
    run_id = api.get("/api/v1/reconciliation/runs").json()["items"][0]["id"]

    detail = api.get(f"/api/v1/reconciliation/runs/{run_id}").json()
    assert {m["market"] for m in detail["markets"]} == {"NK01", "NK02"}
    listed = api.get(f"/api/v1/reconciliation/runs/{run_id}/exceptions", {"market": "NK01"}).json()["items"]
    assert [e["partner_txn_id"] for e in listed] == ["V-A"]

    empty = api.post(f"/api/v1/reconciliation/exceptions/{listed[0]['id']}/resolve", {"note": "  "})
    assert empty.status_code == 422 and "note" in empty.json()["errors"]
    done = api.post(f"/api/v1/reconciliation/exceptions/{listed[0]['id']}/resolve", {"note": "Đã gọi VNPT"})
    assert done.status_code == 200
    assert done.json()["status"] == "resolved" and done.json()["resolved_by"] == operator.username
    twice = api.post(f"/api/v1/reconciliation/exceptions/{listed[0]['id']}/resolve", {"note": "Lần nữa"})
    assert twice.status_code == 409


def test_board_sees_its_market_exceptions_read_only(
    api_for, operator, board_a, night, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(api_for(operator), night)
    other = ReconciliationException.objects.get(partner_txn_id="V-B")
    own = ReconciliationException.objects.get(partner_txn_id="V-A")
    board = api_for(board_a)

    listed = board.get("/api/v1/reconciliation/exceptions").json()["items"]
    assert [e["partner_txn_id"] for e in listed] == ["V-A"]
    assert board.get(f"/api/v1/reconciliation/exceptions/{other.pk}").status_code == 404
    assert board.post(f"/api/v1/reconciliation/exceptions/{other.pk}/resolve", {"note": "x"}).status_code == 404
    assert board.post(f"/api/v1/reconciliation/exceptions/{own.pk}/resolve", {"note": "x"}).status_code == 403
    assert board.get("/api/v1/reconciliation/runs").status_code == 403
    own.refresh_from_db()
    assert own.status == ExceptionStatus.OPEN


def test_csv_and_pdf_exports(api_for, operator, night, django_capture_on_commit_callbacks):
    api = api_for(operator)
    with django_capture_on_commit_callbacks(execute=True):
        upload(api, night)
    run_id = api.get("/api/v1/reconciliation/runs").json()["items"][0]["id"]

    csv_text = api.get(f"/api/v1/reconciliation/runs/{run_id}/export.csv").content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("Loại chênh lệch,Mã giao dịch")
    assert len(lines) == 3 and "Số tiền khác nhau,V-A,2,NK01" in csv_text

    pdf = api.get(f"/api/v1/reconciliation/runs/{run_id}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Báo cáo đối soát VNPT Money" in text and "20/11/2026" in text
    assert "Số tiền khác nhau" in text and "31.000 ₫" in text and "Tiền quyết toán theo chợ" in text


def test_operator_pages(operator, board_a, night, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reconciliation/upload/", {"file": SimpleUploadedFile(NAME, night)})
    assert response.status_code == 302
    runs_page = client.get("/reconciliation/")
    assert "VNPT Money" in runs_page.content.decode()
    page = client.get("/reconciliation/exceptions/", {"kind": "amount_differs"}).content.decode()
    assert "V-A" in page and "V-B" in page and "Đóng chênh lệch" in page

    exception = ReconciliationException.objects.get(partner_txn_id="V-A")
    client.post(f"/reconciliation/exceptions/{exception.pk}/resolve/", {"note": "Đã đối chiếu"})
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.RESOLVED and exception.resolution_note == "Đã đối chiếu"

    board = Client()
    board.force_login(board_a)
    board_page = board.get("/reconciliation/exceptions/", {"status": ""}).content.decode()
    assert "V-A" in board_page and "V-B" not in board_page and "Đóng chênh lệch" not in board_page
    assert board.get("/reconciliation/upload/").status_code == 404
