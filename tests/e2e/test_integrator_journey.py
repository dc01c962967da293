"""An integrator opens the interactive API docs on a desktop: the operations
are listed, no parser error, and every asset comes from the server itself
(the docs must work on a machine with no internet)."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("screen", ["desktop"])
def test_the_api_docs_list_the_operations_from_local_assets(session, operator):
    own_host = urlsplit(session.base_url).netloc
    elsewhere: list[str] = []
    session.page.on(
        "request", lambda request: urlsplit(request.url).netloc != own_host and elsewhere.append(request.url)
    )
    session.login(operator.username)
    page = session.go("/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/vendors/{code}/poster.pdf")).to_be_visible()
    expect(page.get_by_text("/api/v1/reconciliation/runs/{run_id}/export.csv")).to_be_visible()
    expect(page.locator(".errors-wrapper")).to_have_count(0)
    assert page.locator(".opblock").count() > 30
    assert not elsewhere, elsewhere
    session.screenshot("api-docs")
