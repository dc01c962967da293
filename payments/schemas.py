import datetime as dt
from typing import Any

from ninja import Schema

from core.privacy import personal
from payments.models import Transaction, WebhookDelivery


class TransactionOut(Schema):
    id: int
    partner: str
    partner_transaction_id: str
    kind: str
    status: str
    partner_status: str
    amount: int
    completed_at: dt.datetime
    business_date: dt.date
    vendor: str | None
    market: str | None
    credit_account: str
    reference: str
    original_partner_transaction_id: str
    original_id: int | None
    attribution: str
    attribution_reason: str
    source: str

    @staticmethod
    def resolve_vendor(obj: Transaction) -> str | None:
        return obj.vendor.code if obj.vendor else None

    @staticmethod
    def resolve_market(obj: Transaction) -> str | None:
        return obj.market.code if obj.market else None

    @staticmethod
    def resolve_credit_account(obj: Transaction, context: dict[str, Any]) -> str:
        # A wallet account number is usually its holder's phone number.
        return personal(context["request"].user, obj.credit_account)


class AttributeIn(Schema):
    vendor: str
    note: str = ""


class DismissIn(Schema):
    note: str


class DeliveryOut(Schema):
    id: int
    partner: str
    received_at: dt.datetime
    verdict: str
    reason: str
    response_status: int
    partner_transaction_id: str
    transaction_id: int | None
    replay_of_id: int | None
    headers: dict
    body: str
    body_size: int

    @staticmethod
    def resolve_body(obj: WebhookDelivery) -> str:
        return obj.body_text
