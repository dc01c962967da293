"""The payment code endpoints: list, reissue, revoke, issue, images, posters, link."""

import pytest

from core.models import AuditEntry
from merchants import services
from merchants.models import PaymentCode, WalletAccount
from tests.printables.conftest import read_pdf, read_png, read_svg, register

pytestmark = pytest.mark.django_db


def _code(vendor, partner: str = "vnpt") -> PaymentCode:
    return PaymentCode.objects.get(wallet_account__vendor=vendor, wallet_account__partner=partner, revoked_at=None)


def test_board_lists_the_vendors_codes_with_image_links(api_for, board_a, lan):
    response = api_for(board_a).get(f"/api/v1/vendors/{lan.code}/payment-codes")

    assert response.status_code == 200, response.content
    body = response.json()
    assert sorted(c["partner"] for c in body) == ["mobifone", "viettel", "vnpt"]
    vnpt = next(c for c in body if c["partner"] == "vnpt")
    assert vnpt["payload"] == _code(lan).payload
    assert vnpt["payment_reference"] == lan.payment_reference
    assert (vnpt["version"], vnpt["is_active"], vnpt["partner_name"]) == (1, True, "VNPT Money")
    assert vnpt["qr_png"] == f"/api/v1/vendors/{lan.code}/payment-codes/{vnpt['id']}/qr.png"


def test_png_and_svg_decode_to_the_stored_payload(api_for, board_a, lan):
    client = api_for(board_a)
    for code in PaymentCode.objects.filter(wallet_account__vendor=lan):
        png = client.get(f"/api/v1/vendors/{lan.code}/payment-codes/{code.pk}/qr.png")
        svg = client.get(f"/api/v1/vendors/{lan.code}/payment-codes/{code.pk}/qr.svg")

        assert png.status_code == 200 and png["Content-Type"] == "image/png"
        assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
        assert read_png(png.content) == [code.payload]
        assert read_svg(svg.content.decode()) == [code.payload]


def test_reissue_bumps_the_version_and_revokes_the_old_code(api_for, board_a, lan):
    old = _code(lan)

    response = api_for(board_a).post(f"/api/v1/vendors/{lan.code}/payment-codes/{old.pk}/reissue")

    assert response.status_code == 201, response.content
    new = response.json()
    assert new["version"] == 2 and new["is_active"] and new["id"] != old.pk
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert PaymentCode.objects.filter(wallet_account=old.wallet_account, revoked_at=None).count() == 1
    actions = AuditEntry.objects.filter(object_type="merchants.paymentcode").values_list("action", "actor")
    assert ("payment_code.revoke", board_a.pk) in actions and ("payment_code.issue", board_a.pk) in actions


def test_reissuing_a_superseded_code_is_refused(api_for, board_a, lan):
    old = _code(lan)
    client = api_for(board_a)
    client.post(f"/api/v1/vendors/{lan.code}/payment-codes/{old.pk}/reissue")

    response = client.post(f"/api/v1/vendors/{lan.code}/payment-codes/{old.pk}/reissue")

    assert response.status_code == 409
    assert "code" in response.json()["errors"]
    assert PaymentCode.objects.filter(wallet_account=old.wallet_account).count() == 2


def test_revoke_needs_a_reason_and_changes_nothing_without_one(api_for, board_a, lan):
    code = _code(lan)
    client = api_for(board_a)

    refused = client.post(f"/api/v1/vendors/{lan.code}/payment-codes/{code.pk}/revoke", {"reason": "   "})
    code.refresh_from_db()
    assert refused.status_code == 422
    assert refused.json()["errors"]["reason"] == ["Vui lòng ghi lý do thu hồi mã"]
    assert code.revoked_at is None

    done = client.post(f"/api/v1/vendors/{lan.code}/payment-codes/{code.pk}/revoke", {"reason": "Áp phích bị mất"})
    assert done.status_code == 200, done.content
    assert done.json()["revoke_reason"] == "Áp phích bị mất" and done.json()["is_active"] is False
    entry = AuditEntry.objects.get(action="payment_code.revoke", object_id=str(code.pk))
    assert entry.note == "Áp phích bị mất" and entry.actor == board_a


def test_a_revoked_code_has_no_image(api_for, board_a, lan):
    code = _code(lan)
    client = api_for(board_a)
    client.post(f"/api/v1/vendors/{lan.code}/payment-codes/{code.pk}/revoke", {"reason": "Hỏng"})

    response = client.get(f"/api/v1/vendors/{lan.code}/payment-codes/{code.pk}/qr.png")

    assert response.status_code == 410


def test_issue_code_for_an_account_that_has_none(api_for, board_a, lan):
    code = _code(lan, "viettel")
    client = api_for(board_a)
    client.post(f"/api/v1/vendors/{lan.code}/payment-codes/{code.pk}/revoke", {"reason": "Đổi điện thoại"})

    response = client.post(f"/api/v1/vendors/{lan.code}/wallet-accounts/{code.wallet_account_id}/issue-code")

    assert response.status_code == 201, response.content
    assert response.json()["version"] == 2
    assert read_png(client.get(response.json()["qr_png"]).content) == [response.json()["payload"]]


def test_mobifone_without_a_bin_is_refused_naming_the_setting(api_for, board_a, market_a, settings):
    settings.MOBIFONE_BIN = ""
    vendor = register(board_a, market_a, stall="D-004", wallets={"mobifone": "0901234567"})
    account = WalletAccount.objects.get(vendor=vendor)

    response = api_for(board_a).post(f"/api/v1/vendors/{vendor.code}/wallet-accounts/{account.pk}/issue-code")

    assert response.status_code == 422
    assert "MOBIFONE_BIN" in response.json()["errors"]["partner"][0]
    assert not PaymentCode.objects.filter(wallet_account=account).exists()


def test_suspending_a_vendor_revokes_every_code(api_for, board_a, lan):
    response = api_for(board_a).patch(f"/api/v1/vendors/{lan.code}", {"status": "suspended"})

    assert response.status_code == 200, response.content
    assert not PaymentCode.objects.filter(wallet_account__vendor=lan, revoked_at=None).exists()
    listed = api_for(board_a).get(f"/api/v1/vendors/{lan.code}/payment-codes", {"active": "true"})
    assert listed.json() == []
    poster = api_for(board_a).get(f"/api/v1/vendors/{lan.code}/poster.pdf")
    assert poster.status_code == 409


def test_vendor_poster_pdf_codes_scan(api_for, board_a, lan):
    response = api_for(board_a).get(f"/api/v1/vendors/{lan.code}/poster.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    payloads = sorted(PaymentCode.objects.filter(wallet_account__vendor=lan).values_list("payload", flat=True))
    assert [sorted(page) for page in read_pdf(response.content)] == [payloads]


def test_department_reads_but_cannot_change_codes(api_for, department, lan):
    code = _code(lan)
    client = api_for(department)

    assert client.get(f"/api/v1/vendors/{lan.code}/payment-codes").status_code == 200
    assert client.post(f"/api/v1/vendors/{lan.code}/payment-codes/{code.pk}/reissue").status_code == 403
    revoke = client.post(f"/api/v1/vendors/{lan.code}/payment-codes/{code.pk}/revoke", {"reason": "x"})
    assert revoke.status_code == 403
    code.refresh_from_db()
    assert code.revoked_at is None


def _routes(vendor, code: PaymentCode) -> list[tuple[str, str, dict | None]]:
    base = f"/api/v1/vendors/{vendor.code}"
    return [
        ("get", f"{base}/payment-codes", None),
        ("post", f"{base}/payment-codes/{code.pk}/reissue", None),
        ("post", f"{base}/payment-codes/{code.pk}/revoke", {"reason": "Thử"}),
        ("post", f"{base}/wallet-accounts/{code.wallet_account_id}/issue-code", None),
        ("get", f"{base}/payment-codes/{code.pk}/qr.png", None),
        ("get", f"{base}/payment-codes/{code.pk}/qr.svg", None),
        ("get", f"{base}/poster.pdf", None),
        ("get", f"{base}/link", None),
        ("get", f"/api/v1/markets/{vendor.market.code}/posters.pdf", None),
        ("get", f"/api/v1/markets/{vendor.market.code}/posters/status", None),
    ]


def test_every_route_answers_404_to_the_board_of_another_market(api_for, board_b, lan):
    code = _code(lan)
    client = api_for(board_b)

    for method, path, body in _routes(lan, code):
        response = getattr(client, method)(path, body) if body else getattr(client, method)(path)
        assert response.status_code == 404, (path, response.status_code)
    code.refresh_from_db()
    assert code.revoked_at is None
    assert PaymentCode.objects.filter(wallet_account__vendor=lan).count() == 3


def test_a_code_of_another_vendor_is_404_even_for_a_board_seeing_both(api_for, board_a, lan, hung, operator):
    foreign = _code(hung)

    for method, path, body in _routes(lan, foreign)[1:6]:
        client = api_for(operator)
        response = getattr(client, method)(path, body) if body else getattr(client, method)(path)
        assert response.status_code == 404, path


def test_anonymous_gets_401(api_for, lan):
    assert api_for().get(f"/api/v1/vendors/{lan.code}/payment-codes").status_code == 401


def test_vendor_link_from_the_api_opens_the_vendor_page(api_for, board_a, lan, client, settings):
    settings.PUBLIC_BASE_URL = "https://cho40.example.vn"

    body = api_for(board_a).get(f"/api/v1/vendors/{lan.code}/link").json()

    assert body["url"].startswith("https://cho40.example.vn/v/")
    page = client.get(body["url"].removeprefix("https://cho40.example.vn"))
    assert page.status_code == 200
    assert lan.trade_name in page.content.decode()


def test_wallet_account_service_issues_on_add(board_a, lan):
    account = services.wallet_account_add(actor=board_a, vendor=lan, partner="vnpt", account_number="0999888777")

    assert account.payment_codes.get().version == 1
