"""Status lifecycle, wallet accounts and the audit trail of a vendor."""

import pytest

from core.models import AuditEntry
from merchants.models import PaymentCode
from tests.conftest import vendor_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_a(api_for, board_a):
    return api_for(board_a)


@pytest.fixture
def vendor_code(client_a, market_a) -> str:
    return client_a.post("/api/v1/vendors", vendor_payload(market_a)).json()["code"]


def test_every_change_is_audited_with_before_and_after(client_a, vendor_code, board_a, api_for, operator):
    client_a.patch(f"/api/v1/vendors/{vendor_code}", {"phone": "0987654321"})
    client_a.patch(f"/api/v1/vendors/{vendor_code}", {"status": "suspended"})

    history = api_for(operator).get(f"/api/v1/vendors/{vendor_code}/history").json()

    assert [h["action"] for h in history] == ["vendor.status", "vendor.update", "vendor.register"]
    assert all(h["actor"] == board_a.username for h in history)
    assert (history[1]["before"]["phone"], history[1]["after"]["phone"]) == ("0912345678", "0987654321")
    assert (history[0]["before"]["status"], history[0]["after"]["status"]) == ("active", "suspended")


def test_an_unchanged_patch_writes_no_audit_row(client_a, vendor_code):
    before = AuditEntry.objects.count()
    assert client_a.patch(f"/api/v1/vendors/{vendor_code}", {"phone": "0912 345 678"}).status_code == 200
    assert AuditEntry.objects.count() == before


def test_audit_entries_cannot_be_changed():
    entry = AuditEntry.objects.create(action="x", object_type="t", object_id="1", at="2026-11-20T08:00:00+07:00")
    entry.note = "sửa"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["suspended", "active"], True),
        (["closed", "active"], False),
        (["suspended", "closed", "suspended"], False),
    ],
)
def test_status_follows_the_lifecycle(client_a, vendor_code, path, allowed):
    responses = [client_a.patch(f"/api/v1/vendors/{vendor_code}", {"status": s, "reason": "Theo đơn"}) for s in path]
    assert all(r.status_code == 200 for r in responses[:-1])
    assert (responses[-1].status_code == 200) is allowed
    if not allowed:
        assert responses[-1].status_code == 409
        assert "Không thể chuyển" in responses[-1].json()["errors"]["status"][0]


def test_closing_needs_a_reason_which_the_history_keeps(client_a, vendor_code, api_for, operator):
    for body in ({"status": "closed"}, {"status": "closed", "reason": "   "}):
        refused = client_a.patch(f"/api/v1/vendors/{vendor_code}", body)
        assert refused.status_code == 422
        assert "lý do" in refused.json()["errors"]["reason"][0]
    assert client_a.get(f"/api/v1/vendors/{vendor_code}").json()["status"] == "active"
    too_long = client_a.patch(f"/api/v1/vendors/{vendor_code}", {"status": "closed", "reason": "x" * 501})
    assert too_long.status_code == 422 and "500" in too_long.json()["errors"]["reason"][0]

    closed = client_a.patch(f"/api/v1/vendors/{vendor_code}", {"status": "closed", "reason": "Chuyển về quê"})

    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    [last, *_rest] = api_for(operator).get(f"/api/v1/vendors/{vendor_code}/history").json()
    assert (last["action"], last["after"]["status"], last["note"]) == ("vendor.status", "closed", "Chuyển về quê")


def test_suspending_revokes_codes_and_reactivating_issues_a_new_version(client_a, vendor_code):
    client_a.post(f"/api/v1/vendors/{vendor_code}/wallet-accounts", {"partner": "vnpt", "account_number": "0912345678"})
    assert PaymentCode.objects.filter(revoked_at__isnull=True).count() == 1

    client_a.patch(f"/api/v1/vendors/{vendor_code}", {"status": "suspended"})
    assert PaymentCode.objects.filter(revoked_at__isnull=True).count() == 0

    client_a.patch(f"/api/v1/vendors/{vendor_code}", {"status": "active"})
    active = PaymentCode.objects.get(revoked_at__isnull=True)
    assert active.version == 2


def test_an_account_number_is_held_by_one_vendor_per_partner(client_a, vendor_code, market_a):
    other = client_a.post(
        "/api/v1/vendors", vendor_payload(market_a, stall_number="B-2", national_id="092186000999")
    ).json()
    client_a.post(
        f"/api/v1/vendors/{vendor_code}/wallet-accounts", {"partner": "viettel", "account_number": "0912345678"}
    )

    taken = client_a.post(
        f"/api/v1/vendors/{other['code']}/wallet-accounts", {"partner": "viettel", "account_number": "0912345678"}
    )
    other_partner = client_a.post(
        f"/api/v1/vendors/{other['code']}/wallet-accounts", {"partner": "vnpt", "account_number": "0912345678"}
    )

    assert taken.status_code == 409
    assert "đã thuộc một tiểu thương khác" in taken.json()["errors"]["account_number"][0]
    assert other_partner.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"partner": "momo", "account_number": "0912345678"}, "partner"),
        ({"partner": "vnpt", "account_number": "09-12"}, "account_number"),
    ],
)
def test_bad_wallet_account_is_named(client_a, vendor_code, body, field):
    response = client_a.post(f"/api/v1/vendors/{vendor_code}/wallet-accounts", body)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_mobifone_account_without_bin_is_kept_without_a_code(client_a, vendor_code, settings):
    settings.MOBIFONE_BIN = ""
    response = client_a.post(
        f"/api/v1/vendors/{vendor_code}/wallet-accounts", {"partner": "mobifone", "account_number": "0901234567"}
    )
    assert response.status_code == 201
    assert not PaymentCode.objects.exists()


def test_search_finds_by_name_stall_and_phone(client_a, vendor_code, market_a):
    for term in ["Lan", "a-012", "0912345678", "345678"]:
        found = client_a.get("/api/v1/vendors", {"search": term}).json()
        assert [v["code"] for v in found["items"]] == [vendor_code], term
    assert client_a.get("/api/v1/vendors", {"search": "Hùng"}).json()["count"] == 0
    assert client_a.get("/api/v1/vendors", {"status": "suspended"}).json()["count"] == 0
