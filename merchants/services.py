"""Every write to vendors, wallet accounts and payment codes.

One function per business action, keyword-only, one transaction, its audit
row inside. The form, the API and the spreadsheet import all create vendors
here. The programme's original markets come from the register
(merchants/markets_register.py); a market an operator adds or edits (the
admin) is written by `market_save`. Import jobs keep their own progress in
merchants/import_jobs.py.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict, cast

from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core import audit, clock
from core.access import require_market_write
from core.actors import Actor, recorded_user
from core.errors import Conflict, ValidationFailed
from core.models import AuditEntry
from core.partners import Partner, partner_bin
from merchants import selectors, units, vietqr
from merchants import validation as v
from merchants.models import (
    CONSENT_TEXT_VERSION,
    VENDOR_TRANSITIONS,
    Market,
    PaymentCode,
    Vendor,
    VendorStatus,
    WalletAccount,
)
from merchants.references import new_payment_reference, new_vendor_code

# Rows per statement of a bulk write.
BATCH = 2_000


AUDITED_MARKET_FIELDS = [
    "code",
    "name",
    "unit_code",
    "unit_name",
    "district",
    "ward",
    "market_class",
    "stall_count",
    "is_pilot",
    "pilot_start_date",
    "in_original_register",
    "registered_on",
]


def market_state(market: Market) -> audit.State:
    state = model_to_dict(market, fields=AUDITED_MARKET_FIELDS)
    for day in ("pilot_start_date", "registered_on"):
        if state[day] is not None:
            state[day] = state[day].isoformat()
    return state


def unit_code_errors(code: str) -> list[str]:
    """Why a unit code is refused, with the dataset's nearest names when the
    code is not one of the city's current units; empty when it is."""
    if not code:
        return [_("Chưa chọn phường/xã hiện nay của chợ")]
    return selectors.unit_errors(code)


def market_save(*, actor: Actor, market: Market, before: audit.State) -> Market:
    """Writes a market an operator added (`before` None) or edited, with its
    audit row. Its unit must be a current unit of the city; the unit's name
    is the dataset's, never typed."""
    errors = unit_code_errors(market.unit_code)
    if errors:
        raise ValidationFailed.of({"unit_code": errors})
    market.unit_name = units.city_units()[market.unit_code].name
    if before is None and not market.in_original_register and market.registered_on is None:
        market.registered_on = clock.today()
    with transaction.atomic():
        market.save()
        audit.record(
            actor=actor,
            action="market.create" if before is None else "market.update",
            obj=market,
            before=before,
            after=market_state(market),
            market=market,
        )
    return market


def market_register_save(*, actor: Actor, rows: Sequence[tuple[Market, audit.State]]) -> None:
    """The good rows of a register sheet, all or none: each market written
    by `market_save` (with its audit row) inside one transaction."""
    with transaction.atomic():
        for market, before in rows:
            market_save(actor=actor, market=market, before=before)


class VendorFields(TypedDict, total=False):
    """A vendor's own fields as the form, the API or a sheet row gives them;
    `clean_vendor_fields` returns them normalised. On an update, a field left
    out stays as it is."""

    stall_number: str
    full_name: str
    trade_name: str
    phone: str
    national_id: str
    category: str


VENDOR_FIELDS: tuple[str, ...] = tuple(VendorFields.__annotations__)
AUDITED_VENDOR_FIELDS = [*VENDOR_FIELDS, "status", "market"]


def vendor_fields_of(source: Mapping[str, Any]) -> VendorFields:
    """The vendor fields in a form, a JSON body or a sheet row; other keys
    (market, consent, status) and fields that are absent or null are left out."""
    return cast(VendorFields, {f: str(source[f]) for f in VENDOR_FIELDS if source.get(f) is not None})


def vendor_snapshot(vendor: Vendor) -> dict[str, Any]:
    return model_to_dict(vendor, fields=AUDITED_VENDOR_FIELDS)


CONSENT_MISSING = _lazy("Cần xác nhận tiểu thương đã đồng ý cho xử lý dữ liệu cá nhân")


def clean_vendor_fields(data: VendorFields, *, partial: bool = False, consent_given: bool = True) -> VendorFields:
    """Validate the vendor fields present in `data`; raise with every error at once."""
    checks: dict[str, Callable[[], str]] = {
        "stall_number": lambda: v.clean_stall_number(data.get("stall_number", "")),
        "full_name": lambda: v.clean_full_name(data.get("full_name", "")),
        "trade_name": lambda: v.clean_trade_name(data.get("trade_name", "")),
        "phone": lambda: v.clean_phone(data.get("phone", "")),
        "national_id": lambda: v.clean_national_id(data.get("national_id", "")),
        "category": lambda: v.clean_category(data.get("category", "")),
    }
    if partial:
        checks = {field: check for field, check in checks.items() if field in data}
    values, errors = v.collect(checks)
    if not consent_given:
        errors["consent"] = [str(CONSENT_MISSING)]
    if errors:
        raise ValidationFailed(_("Thông tin tiểu thương chưa hợp lệ"), errors=errors)
    return cast(VendorFields, values)


def _stall_is_taken(market: Market, stall_number: str) -> bool:
    return Vendor.objects.filter(market=market, stall_number=stall_number).exclude(status=VendorStatus.CLOSED).exists()


def _stall_taken_error(stall_number: str) -> Conflict:
    return Conflict.single(
        "stall_number", _("Sạp %(stall)s đã có tiểu thương đăng ký ở chợ này") % {"stall": stall_number}
    )


def vendor_register(
    *, actor: Actor, market: Market, data: VendorFields, consent_given: bool, activate: bool = True
) -> Vendor:
    """Register a vendor at a market. Consent to data processing is required."""
    require_market_write(actor, market)
    values = clean_vendor_fields(data, consent_given=consent_given)
    if _stall_is_taken(market, values["stall_number"]):
        raise _stall_taken_error(values["stall_number"])
    [vendor] = _new_vendors(actor=actor, market=market, cleaned=[values], activate=activate)
    try:
        with transaction.atomic():
            vendor.save()
            _vendor_entry(actor=actor, vendor=vendor, market=market, action="vendor.register").save()
    except IntegrityError as exc:
        # A concurrent registration won the stall between check and insert.
        raise _stall_taken_error(values["stall_number"]) from exc
    return vendor


def _new_vendors(*, actor: Actor, market: Market, cleaned: Sequence[VendorFields], activate: bool) -> list[Vendor]:
    """Unsaved vendors for cleaned fields, with what every new vendor gets
    besides: a vendor code and a payment reference no vendor holds, its first
    status, and the record of the consent it gave. The single place these
    are decided, for one vendor from the form or the API and for a sheet."""
    now = clock.now()
    codes = _unused_values("code", new_vendor_code, len(cleaned))
    references = _unused_values("payment_reference", new_payment_reference, len(cleaned))
    return [
        Vendor(
            market=market,
            code=code,
            payment_reference=reference,
            status=VendorStatus.ACTIVE if activate else VendorStatus.DRAFT,
            consent_version=CONSENT_TEXT_VERSION,
            consent_recorded_at=now,
            consent_recorded_by=recorded_user(actor),
            **fields,
        )
        for fields, code, reference in zip(cleaned, codes, references, strict=True)
    ]


def _unused_values(field: str, draw: Callable[[], str], count: int) -> list[str]:
    """`count` distinct random values of a unique vendor field that no vendor
    holds. Random codes drawn by the thousand do meet: with 31^6 vendor
    codes, a 20,000-row sheet repeats one about one time in five, and the
    database would refuse the whole sheet for it."""
    found: set[str] = set()
    while len(found) < count:
        drawn = list({draw() for _ in range(count - len(found))} - found)
        for start in range(0, len(drawn), BATCH):
            chunk = drawn[start : start + BATCH]
            held = set(Vendor.objects.filter(**{f"{field}__in": chunk}).values_list(field, flat=True))
            found.update(value for value in chunk if value not in held)
    return list(found)


def _vendor_entry(
    *,
    actor: Actor,
    vendor: Vendor,
    market: Market,
    action: str,
    before: audit.State = None,
    extra: dict[str, Any] | None = None,
) -> AuditEntry:
    """A vendor's audit row, unsaved: the snapshot after the change and, for a
    sheet, the wallet accounts the row added."""
    after = {**vendor_snapshot(vendor), **(extra or {})}
    return audit.entry(actor=actor, action=action, obj=vendor, before=before, after=after, market=market)


def vendor_update(
    *, actor: Actor, vendor: Vendor, data: VendorFields, status: str | None = None, reason: str = ""
) -> Vendor:
    """Change the fields in `data`; with a status too, one change of both
    (closing needs a reason, see `vendor_change_status`)."""
    require_market_write(actor, vendor.market)
    values = clean_vendor_fields(data, partial=True)
    if status is not None:
        return vendor_change_status(actor=actor, vendor=vendor, status=status, reason=reason, extra=values)
    return _apply_vendor_changes(actor=actor, vendor=vendor, values=values, action="vendor.update")


def _apply_vendor_changes(
    *, actor: Actor, vendor: Vendor, values: VendorFields, action: str, status: str | None = None, note: str = ""
) -> Vendor:
    if "stall_number" in values and values["stall_number"] != vendor.stall_number:
        if _stall_is_taken(vendor.market, values["stall_number"]):
            raise _stall_taken_error(values["stall_number"])
    before = vendor_snapshot(vendor)
    for field, value in values.items():
        setattr(vendor, field, value)
    if status is not None:
        vendor.status = status
    after = vendor_snapshot(vendor)
    if after == before:
        return vendor
    try:
        with transaction.atomic():
            vendor.save()
            audit.record(
                actor=actor, action=action, obj=vendor, before=before, after=after, market=vendor.market, note=note
            )
            if before["status"] != after["status"]:
                _sync_codes_with_status(actor=actor, vendor=vendor)
            elif before["trade_name"] != after["trade_name"] or before["full_name"] != after["full_name"]:
                reissue_all_codes(actor=actor, vendor=vendor, reason=_("Đổi tên in trên mã"))
    except IntegrityError as exc:
        raise _stall_taken_error(values.get("stall_number", vendor.stall_number)) from exc
    return vendor


REASON_MAX = 500


def vendor_change_status(
    *, actor: Actor, vendor: Vendor, status: str, reason: str = "", extra: VendorFields | None = None
) -> Vendor:
    """Move a vendor along its lifecycle. Closing is final (it revokes every
    code, ends the vendor's link and frees the stall), so it needs a reason,
    which the audit row keeps."""
    require_market_write(actor, vendor.market)
    reason = v.normalize_text(reason)
    if not status:
        raise ValidationFailed.single("status", _("Vui lòng chọn trạng thái mới"))
    if status not in VendorStatus.values:
        raise ValidationFailed.single("status", _("Trạng thái không hợp lệ"))
    if status != vendor.status and status not in VENDOR_TRANSITIONS[vendor.status]:
        raise Conflict.single(
            "status",
            _("Không thể chuyển từ “%(old)s” sang “%(new)s”")
            % {"old": vendor.get_status_display(), "new": VendorStatus(status).label},
        )
    if status == VendorStatus.CLOSED and status != vendor.status and not reason:
        raise ValidationFailed.single(
            "reason", _("Vui lòng ghi lý do cho tiểu thương nghỉ; việc này không hoàn tác được")
        )
    if len(reason) > REASON_MAX:
        raise ValidationFailed.single("reason", _("Lý do dài quá %(max)s ký tự") % {"max": REASON_MAX})
    return _apply_vendor_changes(
        actor=actor, vendor=vendor, values=extra or VendorFields(), action="vendor.status", status=status, note=reason
    )


def wallet_account_add(*, actor: Actor, vendor: Vendor, partner: str, account_number: str) -> WalletAccount:
    require_market_write(actor, vendor.market)
    values, errors = v.collect(
        {
            "partner": lambda: v.clean_partner(partner),
            "account_number": lambda: v.clean_account_number(account_number),
        }
    )
    if errors:
        raise ValidationFailed(_("Tài khoản ví chưa hợp lệ"), errors=errors)
    if vendor.status == VendorStatus.CLOSED:
        raise Conflict.single("vendor", _("Tiểu thương đã nghỉ, không thể thêm tài khoản ví"))
    held = WalletAccount.objects.filter(is_active=True, **values).select_related("vendor").first()
    if held is not None:
        raise _account_taken_error(held, vendor)
    try:
        with transaction.atomic():
            account = WalletAccount.objects.create(vendor=vendor, **values)
            audit.record(
                actor=actor,
                action="wallet_account.add",
                obj=account,
                before=None,
                after={**values, "vendor": vendor.code},
                market=vendor.market,
            )
            if vendor.status == VendorStatus.ACTIVE and partner_bin(account.partner):
                _issue(actor=actor, account=account, vendor=vendor)
    except IntegrityError as exc:
        raise Conflict(
            _("Tài khoản ví này vừa được đăng ký cho tiểu thương khác"),
            errors={"account_number": [_("Đã có người đăng ký")]},
        ) from exc
    return account


def _account_taken_error(held: WalletAccount, vendor: Vendor) -> Conflict:
    if held.vendor_id == vendor.pk:
        reason = _("Tiểu thương đã có tài khoản ví này")
    else:
        reason = _("Số tài khoản này đã thuộc một tiểu thương khác")
    return Conflict.single("account_number", reason)


def wallet_account_deactivate(*, actor: Actor, account: WalletAccount, reason: str) -> WalletAccount:
    require_market_write(actor, account.vendor.market)
    if not account.is_active:
        return account
    with transaction.atomic():
        _revoke_active(actor=actor, account=account, reason=reason or _("Ngừng dùng tài khoản ví"))
        account.is_active = False
        account.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="wallet_account.deactivate",
            obj=account,
            before={"is_active": True},
            after={"is_active": False},
            market=account.vendor.market,
            note=reason,
        )
    return account


# --- payment codes -------------------------------------------------------


def payment_code_issue(*, actor: Actor, account: WalletAccount) -> PaymentCode:
    """Issue the account's first code, or a new version if it has none active."""
    vendor = account.vendor
    require_market_write(actor, vendor.market)
    _require_issuable(account)
    try:
        with transaction.atomic():
            # Serialise issues for one account: versions stay gap-free and unique.
            WalletAccount.objects.select_for_update().filter(pk=account.pk).first()
            _revoke_active(actor=actor, account=account, reason=_("Cấp lại mã"))
            return _issue(actor=actor, account=account, vendor=vendor)
    except IntegrityError as exc:
        raise Conflict(
            _("Mã của tài khoản ví này vừa được cấp ở nơi khác; vui lòng tải lại"),
            errors={"code": [_("Mã vừa được cấp lại")]},
        ) from exc


def payment_code_reissue(*, actor: Actor, code: PaymentCode) -> PaymentCode:
    """A new version for the code's account; the code must be the one in use (or none is)."""
    require_market_write(actor, code.wallet_account.vendor.market)
    newer = code.wallet_account.payment_codes.filter(revoked_at__isnull=True).exclude(pk=code.pk).exists()
    if code.revoked_at is not None and newer:
        reason = _("Mã này đã được thay bằng phiên bản mới hơn; hãy cấp lại từ mã đang dùng")
        raise Conflict.single("code", reason)
    return payment_code_issue(actor=actor, account=code.wallet_account)


def payment_code_revoke(*, actor: Actor, code: PaymentCode, reason: str) -> PaymentCode:
    require_market_write(actor, code.wallet_account.vendor.market)
    reason = v.normalize_text(reason)
    if not reason:
        raise ValidationFailed.single("reason", _("Vui lòng ghi lý do thu hồi mã"))
    if code.revoked_at is not None:
        raise Conflict.single("code", _("Mã này đã bị thu hồi trước đó"))
    with transaction.atomic():
        _revoke(actor=actor, code=code, reason=reason)
    return code


def _require_issuable(account: WalletAccount) -> None:
    if not account.is_active:
        raise Conflict.single("wallet_account", _("Tài khoản ví đã ngừng dùng"))
    if account.vendor.status != VendorStatus.ACTIVE:
        raise Conflict.single("vendor", _("Chỉ cấp mã cho tiểu thương đang hoạt động"))
    if not partner_bin(account.partner):
        raise ValidationFailed.single(
            "partner",
            _("Chưa cấu hình mã BIN của %(partner)s (biến MOBIFONE_BIN), chưa thể cấp mã")
            % {"partner": Partner(account.partner).label},
        )


def _issue(*, actor: Actor, account: WalletAccount, vendor: Vendor) -> PaymentCode:
    last = account.payment_codes.order_by("-version").values_list("version", flat=True).first() or 0
    code = _new_code(account=account, vendor=vendor, version=last + 1)
    code.save()
    audit.record(
        actor=actor,
        action="payment_code.issue",
        obj=code,
        before=None,
        after={"wallet_account": account.pk, "version": code.version, "payload": code.payload},
        market=vendor.market,
    )
    return code


def _new_code(*, account: WalletAccount, vendor: Vendor, version: int) -> PaymentCode:
    """An unsaved code for the account; the vendor's reference goes in it."""
    return PaymentCode(
        wallet_account=account,
        payment_reference=vendor.payment_reference,
        payload=payload_for(account, vendor),
        version=version,
        issued_at=clock.now(),
    )


def payload_for(account: WalletAccount, vendor: Vendor) -> str:
    """The code's VietQR payload; the account's partner has a BIN."""
    return vietqr.encode(
        bin=partner_bin(account.partner) or "",
        account=account.account_number,
        name=vietqr.merchant_name(vendor.display_name),
        city=vietqr.DEFAULT_CITY,
        reference=vendor.payment_reference,
    )


def _revoke(*, actor: Actor, code: PaymentCode, reason: str) -> None:
    code.revoked_at = clock.now()
    code.revoke_reason = reason[:200]
    code.save(update_fields=["revoked_at", "revoke_reason"])
    audit.record(
        actor=actor,
        action="payment_code.revoke",
        obj=code,
        before={"revoked_at": None},
        after={"revoked_at": code.revoked_at.isoformat()},
        note=reason,
        market=code.wallet_account.vendor.market,
    )


def _revoke_active(*, actor: Actor, account: WalletAccount, reason: str) -> None:
    for code in account.payment_codes.filter(revoked_at__isnull=True):
        _revoke(actor=actor, code=code, reason=reason)


def _sync_codes_with_status(*, actor: Actor, vendor: Vendor) -> None:
    """Active vendors hold a code per issuable account; others hold none."""
    accounts = vendor.wallet_accounts.filter(is_active=True)
    if vendor.status == VendorStatus.ACTIVE:
        for account in accounts:
            has_code = account.payment_codes.filter(revoked_at__isnull=True).exists()
            if not has_code and partner_bin(account.partner):
                _issue(actor=actor, account=account, vendor=vendor)
        return
    reason = _("Tiểu thương chuyển sang “%(status)s”") % {"status": vendor.get_status_display()}
    for account in accounts:
        _revoke_active(actor=actor, account=account, reason=reason)


def reissue_all_codes(*, actor: Actor, vendor: Vendor, reason: str) -> None:
    if vendor.status != VendorStatus.ACTIVE:
        return
    for account in vendor.wallet_accounts.filter(is_active=True):
        if partner_bin(account.partner):
            _revoke_active(actor=actor, account=account, reason=reason)
            _issue(actor=actor, account=account, vendor=vendor)


# --- a checked sheet, written in bulk ---------------------------------------


@dataclass(frozen=True)
class VendorRow:
    """One vendor of a checked sheet: its cleaned fields, the market's vendor
    at that stall (None for a new one) and the wallet accounts, as (partner,
    account number), that the row adds."""

    fields: VendorFields
    vendor: Vendor | None = None
    new_accounts: tuple[tuple[str, str], ...] = ()


@transaction.atomic
def vendor_batch_save(*, actor: Actor, market: Market, rows: Sequence[VendorRow]) -> None:
    """Create and update a checked sheet's vendors, with the wallet accounts
    each row adds and their first codes, in bulk statements: a board's sheet
    holds thousands of rows. One audit row per vendor carries the accounts it
    added. merchants/imports.py has validated the rows and planned them
    against the market."""
    require_market_write(actor, market)
    created = _new_vendors(
        actor=actor, market=market, cleaned=[row.fields for row in rows if row.vendor is None], activate=True
    )
    Vendor.objects.bulk_create(created, batch_size=BATCH)
    new_vendors = iter(created)
    written: list[tuple[VendorRow, Vendor, audit.State]] = []
    renamed = []
    for row in rows:
        if row.vendor is None:
            written.append((row, next(new_vendors), None))
            continue
        vendor = row.vendor
        before = vendor_snapshot(vendor)
        for field, value in row.fields.items():
            setattr(vendor, field, value)
        if (before["full_name"], before["trade_name"]) != (vendor.full_name, vendor.trade_name):
            renamed.append(vendor)
        written.append((row, vendor, before))
    changed = [vendor for _row, vendor, before in written if before is not None]
    Vendor.objects.bulk_update(changed, VENDOR_FIELDS, batch_size=BATCH)
    accounts = [
        WalletAccount(vendor=vendor, partner=partner, account_number=number)
        for row, vendor, _before in written
        for partner, number in row.new_accounts
    ]
    WalletAccount.objects.bulk_create(accounts, batch_size=BATCH)
    codes = [
        _new_code(account=account, vendor=account.vendor, version=1)
        for account in accounts
        if account.vendor.status == VendorStatus.ACTIVE and partner_bin(account.partner)
    ]
    PaymentCode.objects.bulk_create(codes, batch_size=BATCH)
    entries = [
        _vendor_entry(
            actor=actor,
            vendor=vendor,
            market=market,
            action="vendor.import",
            before=before,
            extra={"wallet_accounts_added": list(row.new_accounts)},
        )
        for row, vendor, before in written
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=BATCH)
    for vendor in renamed:
        reissue_all_codes(actor=actor, vendor=vendor, reason=_("Đổi tên in trên mã"))
