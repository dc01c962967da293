"""Market poster batches: drawn in the request when small, by a worker when large,
the finished file kept until something printed changes."""

import io

import pypdf
import pytest

from merchants import services as merchant_services
from merchants.models import PaymentCode
from printables import poster_jobs, services
from printables.models import BatchState, PosterBatch
from tests.printables.conftest import read_pdf, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def market_with_three(board_a, market_a, lan):
    for i, name in enumerate(["Trần Văn Đức", "Lê Thị Ánh"], start=1):
        register(
            board_a,
            market_a,
            stall=f"B-00{i}",
            full_name=name,
            trade_name="",
            phone=f"091234500{i}",
            national_id=f"09218600010{i}",
            wallets={"vnpt": f"09120000{i}0"},
        )
    return market_a


@pytest.fixture
def large(settings, tmp_path):
    """Any market with more than one poster counts as large."""
    settings.POSTER_DIRECT_LIMIT = 1
    settings.MEDIA_ROOT = tmp_path


def _payloads(market) -> list[str]:
    codes = PaymentCode.objects.filter(wallet_account__vendor__market=market, revoked_at=None)
    return sorted(codes.values_list("payload", flat=True))


def test_small_market_pdf_comes_straight_back(api_for, board_a, market_with_three):
    response = api_for(board_a).get(f"/api/v1/markets/{market_with_three.code}/posters.pdf", {"layout": "a4x2"})

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = read_pdf(response.content)
    assert len(pages) == 2
    assert sorted(t for page in pages for t in page) == _payloads(market_with_three)
    assert not PosterBatch.objects.exists()


def test_unknown_layout_is_refused_naming_the_field(api_for, board_a, market_with_three):
    response = api_for(board_a).get(f"/api/v1/markets/{market_with_three.code}/posters.pdf", {"layout": "a3"})

    assert response.status_code == 422
    assert "layout" in response.json()["errors"]


def test_large_market_runs_a_batch_then_serves_the_cached_file(
    api_for, board_a, market_with_three, large, django_capture_on_commit_callbacks
):
    client = api_for(board_a)
    url = f"/api/v1/markets/{market_with_three.code}/posters.pdf"

    with django_capture_on_commit_callbacks(execute=False) as queued:
        started = client.get(url)
    assert started.status_code == 202, started.content
    assert started.json()["state"] == "queued" and started.json()["total"] == 0
    status = client.get(started.json()["status_url"])
    assert status.json()["state"] == "queued" and status.json()["download_url"] is None

    for callback in queued:  # the worker picks the task up after the commit
        callback()
    status = client.get(started.json()["status_url"]).json()
    assert (status["state"], status["done"], status["total"]) == ("done", 3, 3)

    with django_capture_on_commit_callbacks(execute=True) as again:
        served = client.get(status["download_url"])
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert again == []  # nothing re-rendered
    assert sorted(t for page in read_pdf(served.content) for t in page) == _payloads(market_with_three)
    assert PosterBatch.objects.count() == 1


def test_a_reissued_code_invalidates_the_cached_file(
    api_for, board_a, market_with_three, lan, large, django_capture_on_commit_callbacks
):
    client = api_for(board_a)
    url = f"/api/v1/markets/{market_with_three.code}/posters.pdf"
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    first = PosterBatch.objects.get()
    assert first.state == BatchState.DONE

    code = PaymentCode.objects.filter(wallet_account__vendor=lan, revoked_at=None).first()
    merchant_services.payment_code_reissue(actor=board_a, code=code)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)

    assert response.status_code == 202  # a new batch: the old file no longer matches
    second = PosterBatch.objects.exclude(pk=first.pk).get()
    assert second.state == BatchState.DONE
    first.refresh_from_db()
    assert first.file.name == ""  # the superseded file is gone
    served = client.get(url)
    texts = sorted(t for page in read_pdf(served.content) for t in page)
    assert texts == _payloads(market_with_three)
    # A static code's payload is the same after a reissue; the printed version is not.
    first_page = pypdf.PdfReader(io.BytesIO(served.content)).pages[0].extract_text()
    assert "Phiên bản 2" in first_page


def test_a_failed_batch_is_queued_again_on_the_next_request(
    board_a, market_with_three, large, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.poster_batch_request(actor=board_a, market=market_with_three, layout="a5")
    PosterBatch.objects.filter(pk=batch.pk).update(state=BatchState.FAILED, error="hỏng")

    with django_capture_on_commit_callbacks(execute=True) as queued:
        again = services.poster_batch_request(actor=board_a, market=market_with_three, layout="a5")

    assert again.pk == batch.pk and len(queued) == 1
    again.refresh_from_db()
    assert again.state == BatchState.DONE and again.error == ""


def test_a_batch_is_rendered_once_even_if_the_task_runs_twice(
    board_a, market_with_three, large, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.poster_batch_request(actor=board_a, market=market_with_three, layout="a5")
    poster_jobs.poster_batch_render(batch_id=batch.pk)
    batch.refresh_from_db()
    finished_at, name = batch.finished_at, batch.file.name

    poster_jobs.poster_batch_render(batch_id=batch.pk)

    batch.refresh_from_db()
    assert (batch.finished_at, batch.file.name) == (finished_at, name)


def test_board_page_starts_the_batch_and_shows_progress(
    client, board_a, market_with_three, large, django_capture_on_commit_callbacks
):
    client.force_login(board_a)
    page = f"/markets/{market_with_three.code}/posters/?layout=a4x2"

    assert "Tạo tệp in cho cả chợ" in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        started = client.post(f"/markets/{market_with_three.code}/posters/", {"layout": "a4x2"})
    assert started.status_code == 302
    assert "<progress" in client.get(page).content.decode()
    for callback in queued:
        callback()
    assert "Tải tệp PDF để in" in client.get(page).content.decode()
    pdf = client.get(f"/markets/{market_with_three.code}/posters.pdf?layout=a4x2")
    assert len(pypdf.PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages) == 2


def test_board_pages_of_another_market_are_404(client, board_b, market_with_three, lan):
    client.force_login(board_b)

    assert client.get(f"/markets/{market_with_three.code}/posters/").status_code == 404
    assert client.post(f"/markets/{market_with_three.code}/posters/", {"layout": "a5"}).status_code == 404
    assert client.get(f"/markets/{market_with_three.code}/posters.pdf").status_code == 404
    assert client.get(f"/vendors/{lan.code}/poster.pdf").status_code == 404


def test_board_prints_a_vendor_poster_from_the_web_app(client, board_a, lan):
    assert client.get(f"/vendors/{lan.code}/poster.pdf").status_code == 302  # login first
    client.force_login(board_a)

    response = client.get(f"/vendors/{lan.code}/poster.pdf")

    assert response.status_code == 200
    assert len(read_pdf(response.content)[0]) == 3
