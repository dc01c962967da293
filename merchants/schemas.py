import datetime as dt

from ninja import Schema

from core.privacy import personal


class MarketOut(Schema):
    code: str
    name: str
    district: str
    district_name: str
    ward: str
    market_class: str
    stall_count: int
    is_pilot: bool
    pilot_start_date: dt.date | None

    @staticmethod
    def resolve_district_name(obj) -> str:
        return obj.get_district_display()


class WalletAccountIn(Schema):
    partner: str
    account_number: str


class WalletAccountOut(Schema):
    id: int
    partner: str
    partner_name: str
    account_number: str
    is_active: bool

    @staticmethod
    def resolve_partner_name(obj) -> str:
        return obj.get_partner_display()

    @staticmethod
    def resolve_account_number(obj, context) -> str:
        # E-wallet account numbers are usually the holder's phone number.
        return personal(context["request"].user, obj.account_number)


class VendorIn(Schema):
    market: str
    stall_number: str
    full_name: str
    trade_name: str = ""
    phone: str
    national_id: str
    category: str
    consent_given: bool
    activate: bool = True


class VendorPatch(Schema):
    stall_number: str | None = None
    full_name: str | None = None
    trade_name: str | None = None
    phone: str | None = None
    national_id: str | None = None
    category: str | None = None
    status: str | None = None


class VendorOut(Schema):
    code: str
    market: str
    stall_number: str
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
    def resolve_market(obj) -> str:
        return obj.market.code

    @staticmethod
    def resolve_phone(obj, context) -> str:
        return personal(context["request"].user, obj.phone)

    @staticmethod
    def resolve_national_id(obj, context) -> str:
        return personal(context["request"].user, obj.national_id)

    @staticmethod
    def resolve_wallet_accounts(obj) -> list:
        return [a for a in obj.wallet_accounts.all() if a.is_active]


class ImportRowOut(Schema):
    row: int
    stall_number: str
    outcome: str
    errors: dict[str, list[str]]


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
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor else None
