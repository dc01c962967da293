"""Logging in, bearer tokens for integrations, throttling and CSRF."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from tests.conftest import vendor_payload

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-thu-nghiem-1"


def test_issue_token_prints_a_working_bearer_token(board_a):
    out = io.StringIO()
    call_command("issue_token", board_a.username, stdout=out)
    token = out.getvalue().strip()

    response = Client().get("/api/v1/vendors", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    assert Client().get("/api/v1/vendors", HTTP_AUTHORIZATION=f"Bearer {token}x").status_code == 401


def test_issue_token_for_an_unknown_user_fails(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no active user"):
        call_command("issue_token", "khong_co")


def test_browser_session_writes_need_the_csrf_token(board_a, market_a):
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username=board_a.username, password=PASSWORD)

    refused = browser.post("/api/v1/vendors", vendor_payload(market_a), content_type="application/json")
    assert refused.status_code == 403

    browser.get("/vendors/")  # sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/v1/vendors", vendor_payload(market_a), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201


def test_login_is_throttled_after_five_failures(board_a):
    browser = Client()
    for _attempt in range(5):
        assert browser.post("/accounts/login/", {"username": board_a.username, "password": "sai"}).status_code == 200
    locked = browser.post("/accounts/login/", {"username": board_a.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "quá nhiều lần" in locked.content.decode()
    assert "_auth_user_id" not in browser.session


def test_login_then_logout(board_a):
    browser = Client()
    response = browser.post("/accounts/login/", {"username": board_a.username, "password": PASSWORD})
    assert response.status_code == 302
    assert browser.get("/vendors/").status_code == 200
    browser.post("/accounts/logout/")
    assert browser.get("/vendors/").status_code == 302


def test_openapi_document_lists_the_routes(client):
    document = client.get("/api/v1/openapi.json").json()
    for path in [
        "/api/v1/markets",
        "/api/v1/markets/{code}",
        "/api/v1/vendors",
        "/api/v1/vendors/{code}",
        "/api/v1/vendors/{code}/wallet-accounts",
        "/api/v1/vendors/import",
    ]:
        assert path in document["paths"], path
    assert client.get("/api/v1/docs").status_code == 200


def test_a_login_expires_after_the_configured_age(board_a, settings):
    response = Client().post("/accounts/login/", {"username": board_a.username, "password": PASSWORD})

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE == 8 * 3600
