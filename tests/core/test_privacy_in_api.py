"""The department reads everything but sees phone numbers, CCCD and wallet
account numbers masked, in every API read that carries them (found by the
security proof: history, payment codes, transactions, exceptions)."""

import pytest

from merchants.models import PaymentCode
from reconciliation import services as reconciliation
from reconciliation.models import Channel
from reconciliation.simulate import write_settlement
from tests.reconciliation.kit import DAY, at, frozen_now, lan, record  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
PHONE = "0912345678"
CCCD = "092186000123"


@pytest.fixture
def money(lan, settings):
    from tests.payments.kit import MOBIFONE_SECRET, VIETTEL_KEY, VNPT_SECRET

    settings.VNPT_WEBHOOK_SECRETS = [VNPT_SECRET]
    settings.VIETTEL_CHECKSUM_KEYS = [VIETTEL_KEY]
    settings.MOBIFONE_WEBHOOK_SECRETS = [MOBIFONE_SECRET]
    for i in range(2):
        record("vnpt", f"VNPT-L-{i}", 45000, at(DAY, 9, i), vendor=lan)
    written = write_settlement(partner="vnpt", day=DAY, plants={"amount": 1})
    reconciliation.settlement_file_import(
        actor=None, file_name=written.file_name, content=written.content, channel=Channel.COMMAND, partner="vnpt"
    )
    return reconciliation.reconcile(actor=None, partner="vnpt", business_date=DAY)[0]


def reads(lan, run) -> list[str]:
    code = PaymentCode.objects.filter(wallet_account__vendor=lan).first()
    return [
        f"/api/v1/vendors/{lan.code}",
        f"/api/v1/vendors/{lan.code}/history",
        f"/api/v1/vendors/{lan.code}/payment-codes",
        f"/api/v1/vendors/{lan.code}/payment-codes?active=true&x={code.pk}",
        "/api/v1/transactions",
        "/api/v1/reconciliation/exceptions",
        f"/api/v1/reconciliation/runs/{run.pk}/exceptions",
    ]


def without_payloads(text: str) -> str:
    """A code's VietQR payload carries the account number on purpose: it is
    the poster's content."""
    import json

    data = json.loads(text)
    if isinstance(data, list):
        data = [{k: v for k, v in item.items() if k != "payload"} for item in data]
    return json.dumps(data)


def test_the_department_sees_personal_data_masked_everywhere(api_for, department, lan, money):
    client = api_for(department)
    for path in reads(lan, money):
        response = client.get(path)
        assert response.status_code == 200, path
        text = without_payloads(response.content.decode())
        assert PHONE not in text and CCCD not in text, path
    history = client.get(f"/api/v1/vendors/{lan.code}/history").json()
    assert history[-1]["after"]["phone"] == "091*****78"


def test_the_vendors_own_board_and_operators_see_it_whole(api_for, operator, lan, money):
    client = api_for(operator)
    assert PHONE in client.get("/api/v1/transactions").content.decode()
    assert CCCD in client.get(f"/api/v1/vendors/{lan.code}/history").content.decode()
