"""Every error page a person can reach answers in Vietnamese (English by choice)."""

import pytest
from django.test import Client
from django.urls import path

from market40.urls import handler500  # noqa: F401 — the project's, for this test's URLconf
from market40.urls import urlpatterns as project_urlpatterns

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a fault in a view")


urlpatterns = [path("boom/", _boom), *project_urlpatterns]


def page_of(response) -> str:
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="vi">' in page
    for english in ("Not Found", "Bad Request", "Forbidden", "Server Error"):
        assert english not in page
    return page


def test_an_unknown_address_is_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    assert "Không tìm thấy trang" in page_of(response)


def test_an_unknown_vendor_is_a_404_with_its_reason(client, board_b):
    client.force_login(board_b)
    response = client.get("/vendors/TTNOPE/")

    assert response.status_code == 404
    page = page_of(response)
    assert "Không tìm thấy trang" in page and "Không tìm thấy tiểu thương" in page


def test_a_bad_host_is_a_vietnamese_400(client):
    response = client.get("/", HTTP_HOST="ke-la.example")

    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in page_of(response)


def test_a_nul_character_is_a_vietnamese_400_naming_the_reason(client):
    response = client.get("/vendors/", {"q": "Lan\x00"})

    assert response.status_code == 400
    assert "Không được chứa ký tự NUL" in page_of(response)


def test_a_stale_form_is_a_vietnamese_403(board_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(board_a)

    response = client.post("/vendors/new/", {"full_name": "Nguyễn Thị Lan"})

    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in page_of(response)


def test_a_server_fault_is_a_vietnamese_500(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert "Hệ thống đang gặp lỗi" in page_of(response)


def test_the_error_pages_follow_the_chosen_language(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    assert '<html lang="en">' in response.content.decode()
