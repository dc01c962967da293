import datetime as dt
from typing import Any

from ninja import Schema

from core.privacy import personal_fields
from reconciliation.models import ReconciliationException


class SettlementFileOut(Schema):
    id: int
    partner: str
    business_date: dt.date
    file_name: str
    content_hash: str
    line_count: int
    total_amount: int
    total_fee: int
    total_net: int
    channel: str
    received_at: dt.datetime


class ImportOut(Schema):
    created: bool
    file: SettlementFileOut
    run_id: int | None = None


class OutcomeOut(Schema):
    count: int
    total: int


class RunOut(Schema):
    id: int
    partner: str
    business_date: dt.date
    status: str
    file: str | None
    lines: int
    transactions: int
    total_amount: int
    total_fee: int
    total_net: int
    exceptions: int
    open_exceptions: int
    awaiting_next_file: int
    attempts: int
    outcomes: dict[str, OutcomeOut]


class RunDetailOut(RunOut):
    markets: list[dict]
    vendors: list[dict]


class ExceptionOut(Schema):
    id: int
    run_id: int
    kind: str
    kind_name: str
    partner: str
    business_date: dt.date
    partner_txn_id: str
    line_no: int | None
    market: str | None
    vendor: str | None
    file_side: dict | None
    recorded_side: dict | None
    file_amount: int | None
    recorded_amount: int | None
    explanation: str
    status: str
    resolved_at: dt.datetime | None
    resolved_by: str | None
    resolution_note: str

    @staticmethod
    def resolve_kind_name(obj: ReconciliationException) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_market(obj: ReconciliationException) -> str | None:
        return obj.market.code if obj.market else None

    @staticmethod
    def resolve_vendor(obj: ReconciliationException) -> str | None:
        return obj.vendor.code if obj.vendor else None

    @staticmethod
    def resolve_resolved_by(obj: ReconciliationException) -> str | None:
        return obj.resolved_by.username if obj.resolved_by else None

    @staticmethod
    def resolve_file_side(obj: ReconciliationException, context: dict[str, Any]) -> dict | None:
        return personal_fields(context["request"].user, obj.file_side)

    @staticmethod
    def resolve_recorded_side(obj: ReconciliationException, context: dict[str, Any]) -> dict | None:
        return personal_fields(context["request"].user, obj.recorded_side)


class ResolveIn(Schema):
    note: str
    # Adopt the partner's amount or status on the transaction (amount/status differences only).
    apply_partner_value: bool = False
