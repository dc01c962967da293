"""One way a vendor comes to be: the form, the API and the sheet give the
same vendor for the same input, with the same consent record and the same
audit row, and its codes are never ones another vendor holds."""

import itertools

import pytest

from core.models import AuditEntry
from merchants import references, services
from merchants.models import CONSENT_TEXT_VERSION, Market, Vendor
from tests.conftest import vendor_payload
from tests.merchants.sheets import HEADER, csv_bytes, upload

pytestmark = pytest.mark.django_db

OWN_FIELDS = (*services.VENDOR_FIELDS, "status", "consent_version", "consent_recorded_by_id")


def _typed(market: Market) -> dict:
    """The shared test vendor as a clerk might type it: lower case, extra spaces."""
    payload = vendor_payload(market, stall_number="a-012", full_name="Nguyễn  Thị Lan", trade_name=" Rau sạch Cô Lan")
    return dict(services.vendor_fields_of(payload))


def _by_form(client, market: Market) -> Vendor:
    response = client.post("/vendors/new/", {**_typed(market), "market": market.code, "consent": "on"})
    assert response.status_code == 302, response.content
    return Vendor.objects.get(market=market)


def _by_api(client, market: Market) -> Vendor:
    response = client.post("/api/v1/vendors", vendor_payload(market, **_typed(market)))
    assert response.status_code == 201, response.content
    return Vendor.objects.get(market=market)


def _by_sheet(client, market: Market) -> Vendor:
    typed = _typed(market)
    row = [typed[field] for field in services.VENDOR_FIELDS] + ["Có", "", "", ""]
    report = upload(client, market, csv_bytes([HEADER, row]), dry_run=False).json()
    assert report["created"] == 1, report["rows"]
    return Vendor.objects.get(market=market)


def _entry(vendor: Vendor) -> AuditEntry:
    return AuditEntry.objects.get(object_type="merchants.vendor", object_id=str(vendor.pk))


def test_form_api_and_sheet_make_the_same_vendor(client, api_for, operator):
    markets = Market.objects.filter(code__in=["NK01", "NK02", "NK03"]).order_by("code")
    client.force_login(operator)
    api = api_for(operator)
    vendors = [_by_form(client, markets[0]), _by_api(api, markets[1]), _by_sheet(api, markets[2])]

    own = [tuple(getattr(vendor, field) for field in OWN_FIELDS) for vendor in vendors]
    assert own[0] == own[1] == own[2]
    assert own[0][:7] == (
        "A-012",
        "Nguyễn Thị Lan",
        "Rau sạch Cô Lan",
        "0912345678",
        "092186000123",
        "rau-cu",
        "active",
    )
    assert own[0][7:] == (CONSENT_TEXT_VERSION, operator.pk)
    for vendor in vendors:
        assert vendor.consent_recorded_at is not None
        assert vendor.code.startswith("TT") and len(vendor.code) == references.VENDOR_CODE_LENGTH
        assert vendor.payment_reference.startswith("C4")
        assert len(vendor.payment_reference) == references.PAYMENT_REFERENCE_LENGTH
    assert len({v.code for v in vendors}) == len({v.payment_reference for v in vendors}) == 3

    entries = [_entry(vendor) for vendor in vendors]
    assert [e.action for e in entries] == ["vendor.register", "vendor.register", "vendor.import"]
    assert entries[2].after.pop("wallet_accounts_added") == []
    for entry, vendor in zip(entries, vendors, strict=True):
        assert (entry.actor, entry.before, entry.market) == (operator, None, vendor.market)
        assert entry.after == services.vendor_snapshot(vendor)
    shapes = [{k: v for k, v in entry.after.items() if k != "market"} for entry in entries]
    assert shapes[0] == shapes[1] == shapes[2]


def test_codes_already_held_or_drawn_twice_are_drawn_again(api_for, operator, market_a, monkeypatch):
    held = services.vendor_register(
        actor=operator, market=market_a, data=services.vendor_fields_of(vendor_payload(market_a)), consent_given=True
    )
    # The draw repeats the held vendor's code, then a code twice, before fresh ones.
    draws = itertools.chain([held.code, "TT222222", "TT222222"], (f"TT3{n:05d}" for n in itertools.count()))
    monkeypatch.setattr(services, "new_vendor_code", lambda: next(draws))
    rows = [
        [f"B-{n}", "Lê Thị Mai", "", f"098123456{n}", f"09218600022{n}", "Rau củ", "Có", "", "", ""] for n in range(3)
    ]

    report = upload(api_for(operator), market_a, csv_bytes([HEADER, *rows]), dry_run=False).json()

    assert report["created"] == 3, report["rows"]
    codes = set(Vendor.objects.exclude(pk=held.pk).values_list("code", flat=True))
    assert len(codes) == 3 and held.code not in codes and "TT222222" in codes
