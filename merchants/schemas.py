import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic.config import JsonDict

from core.models import AuditEntry
from core.partners import Partner
from core.privacy import personal, personal_fields
from merchants.models import GoodsCategory, Market, Vendor, VendorStatus, WalletAccount


class MarketOut(Schema):
    code: str
    name: str
    unit_code: str = Field(description="Current commune-level unit, official code; empty until an operator settles it")
    unit_name: str
    district: str = Field(description="Former district (before 1 July 2025); empty outside old Cần Thơ")
    district_name: str
    ward: str = Field(description="Former ward (before 1 July 2025)")
    market_class: str
    stall_count: int
    is_pilot: bool
    pilot_start_date: dt.date | None
    in_original_register: bool
    registered_on: dt.date | None

    @staticmethod
    def resolve_district_name(obj: Market) -> str:
        return obj.get_district_display()


# The services check these fields and answer in Vietnamese; the schema says
# the same rules to clients (the services stay the single source of the reasons).
PARTNER: JsonDict = {"enum": list(Partner.values)}
ACCOUNT_NUMBER: JsonDict = {"pattern": r"^[ .\-]*([0-9][ .\-]*){6,19}$"}
CATEGORY: JsonDict = {"enum": list(GoodsCategory.values)}
STALL: JsonDict = {"pattern": r"^[A-Za-z0-9][A-Za-z0-9\-/]{0,15}$"}


class WalletAccountIn(Schema):
    partner: str = Field(json_schema_extra=PARTNER)
    account_number: str = Field(json_schema_extra=ACCOUNT_NUMBER)


class WalletAccountOut(Schema):
    id: int
    partner: str
    partner_name: str
    account_number: str
    is_active: bool

    @staticmethod
    def resolve_partner_name(obj: WalletAccount) -> str:
        return obj.get_partner_display()

    @staticmethod
    def resolve_account_number(obj: WalletAccount, context: dict[str, Any]) -> str:
        # E-wallet account numbers are usually the holder's phone number.
        return personal(context["request"].user, obj.account_number)


class VendorIn(Schema):
    market: str
    stall_number: str = Field(json_schema_extra=STALL)
    full_name: str
    trade_name: str = ""
    phone: str
    national_id: str
    category: str = Field(json_schema_extra=CATEGORY)
    consent_given: bool = Field(description="Phải là true: tiểu thương đã đồng ý", json_schema_extra={"const": True})
    activate: bool = True


class VendorPatch(Schema):
    """The fields to change; a field left out or null stays as it is."""

    stall_number: str | None = Field(None, json_schema_extra=STALL)
    full_name: str | None = None
    trade_name: str | None = None
    phone: str | None = None
    national_id: str | None = None
    category: str | None = Field(None, json_schema_extra={"enum": [*GoodsCategory.values, None]})
    status: str | None = Field(None, json_schema_extra={"enum": [*VendorStatus.values, None]})
    reason: str | None = Field(None, description="Lý do (tối đa 500 ký tự); bắt buộc khi chuyển sang closed")


class VendorOut(Schema):
    code: str
    market: str
    stall_number: str = Field(json_schema_extra=STALL)
    full_name: str
    trade_name: str
    phone: str
    national_id: str
    category: str
    status: str
    payment_reference: str
    consent_version: str
    consent_recorded_at: dt.datetime
    wallet_accounts: list[WalletAccountOut]

    @staticmethod
    def resolve_market(obj: Vendor) -> str:
        return obj.market.code

    @staticmethod
    def resolve_phone(obj: Vendor, context: dict[str, Any]) -> str:
        return personal(context["request"].user, obj.phone)

    @staticmethod
    def resolve_national_id(obj: Vendor, context: dict[str, Any]) -> str:
        return personal(context["request"].user, obj.national_id)

    @staticmethod
    def resolve_wallet_accounts(obj: Vendor) -> list:
        return [a for a in obj.wallet_accounts.all() if a.is_active]


class ImportProblemOut(Schema):
    column: str = Field(description="Tên cột trong bảng tính")
    value: str = Field(description="Giá trị ô đó trong bảng tính (tối đa 40 ký tự)")
    reason: str


class ImportRowOut(Schema):
    row: int
    stall_number: str
    outcome: str
    errors: dict[str, list[str]]
    problems: list[ImportProblemOut] = Field(description="Từng lý do riêng, với cột và giá trị bị từ chối")


class ImportReportOut(Schema):
    dry_run: bool
    total_rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    rows: list[ImportRowOut]


class AuditEntryOut(Schema):
    at: dt.datetime
    actor: str | None
    action: str
    before: dict | None
    after: dict | None
    note: str

    @staticmethod
    def resolve_actor(obj: AuditEntry) -> str | None:
        return obj.actor.username if obj.actor else None

    @staticmethod
    def resolve_before(obj: AuditEntry, context: dict[str, Any]) -> dict | None:
        return personal_fields(context["request"].user, obj.before)

    @staticmethod
    def resolve_after(obj: AuditEntry, context: dict[str, Any]) -> dict | None:
        return personal_fields(context["request"].user, obj.after)
