"""Every write to markets, vendors, wallet accounts and payment codes.

One function per business action, keyword-only, one transaction, its audit
row inside.
"""

from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core import audit, clock
from core.access import require_market_write
from core.errors import Conflict, DomainError, ValidationFailed
from core.partners import Partner, partner_bin
from merchants import validation as v
from merchants import vietqr
from merchants.models import (
    CONSENT_TEXT_VERSION,
    VENDOR_TRANSITIONS,
    ImportJob,
    ImportState,
    Market,
    PaymentCode,
    Vendor,
    VendorStatus,
    WalletAccount,
)
from merchants.references import new_payment_reference, new_vendor_code

VENDOR_FIELDS = ["stall_number", "full_name", "trade_name", "phone", "national_id", "category"]
AUDITED_VENDOR_FIELDS = [*VENDOR_FIELDS, "status", "market"]


def vendor_snapshot(vendor: Vendor) -> dict:
    return model_to_dict(vendor, fields=AUDITED_VENDOR_FIELDS)


CONSENT_MISSING = _lazy("Cần xác nhận tiểu thương đã đồng ý cho xử lý dữ liệu cá nhân")


def clean_vendor_fields(data: dict, *, partial: bool = False, consent_given: bool = True) -> dict:
    """Validate the vendor fields present in `data`; raise with every error at once."""
    checks = {
        "stall_number": lambda: v.clean_stall_number(data.get("stall_number")),
        "full_name": lambda: v.clean_full_name(data.get("full_name")),
        "trade_name": lambda: v.clean_trade_name(data.get("trade_name") or ""),
        "phone": lambda: v.clean_phone(data.get("phone")),
        "national_id": lambda: v.clean_national_id(data.get("national_id")),
        "category": lambda: v.clean_category(data.get("category")),
    }
    if partial:
        checks = {field: check for field, check in checks.items() if field in data}
    values, errors = v.collect(checks)
    if not consent_given:
        errors["consent"] = [str(CONSENT_MISSING)]
    if errors:
        raise ValidationFailed(_("Thông tin tiểu thương chưa hợp lệ"), errors=errors)
    return values


def _stall_is_taken(market: Market, stall_number: str) -> bool:
    return Vendor.objects.filter(market=market, stall_number=stall_number).exclude(status=VendorStatus.CLOSED).exists()


def _stall_taken_error(stall_number: str) -> Conflict:
    return Conflict.single(
        "stall_number", _("Sạp %(stall)s đã có tiểu thương đăng ký ở chợ này") % {"stall": stall_number}
    )


def vendor_register(*, actor, market: Market, data: dict, consent_given: bool, activate: bool = True) -> Vendor:
    """Register a vendor at a market. Consent to data processing is required."""
    require_market_write(actor, market)
    values = clean_vendor_fields(data, consent_given=consent_given)
    if _stall_is_taken(market, values["stall_number"]):
        raise _stall_taken_error(values["stall_number"])
    try:
        with transaction.atomic():
            vendor = Vendor.objects.create(
                market=market,
                code=new_vendor_code(),
                payment_reference=new_payment_reference(),
                status=VendorStatus.ACTIVE if activate else VendorStatus.DRAFT,
                consent_version=CONSENT_TEXT_VERSION,
                consent_recorded_at=clock.now(),
                consent_recorded_by=actor if actor.is_authenticated else None,
                **values,
            )
            audit.record(
                actor=actor,
                action="vendor.register",
                obj=vendor,
                before=None,
                after=vendor_snapshot(vendor),
                market=market,
            )
    except IntegrityError as exc:
        # A concurrent registration won the stall between check and insert.
        raise _stall_taken_error(values["stall_number"]) from exc
    return vendor


def vendor_update(*, actor, vendor: Vendor, data: dict) -> Vendor:
    require_market_write(actor, vendor.market)
    values = clean_vendor_fields(data, partial=True)
    if "status" in data and data["status"] is not None:
        return vendor_change_status(actor=actor, vendor=vendor, status=data["status"], extra=values)
    return _apply_vendor_changes(actor=actor, vendor=vendor, values=values, action="vendor.update")


def _apply_vendor_changes(*, actor, vendor: Vendor, values: dict, action: str) -> Vendor:
    if "stall_number" in values and values["stall_number"] != vendor.stall_number:
        if _stall_is_taken(vendor.market, values["stall_number"]):
            raise _stall_taken_error(values["stall_number"])
    before = vendor_snapshot(vendor)
    for field, value in values.items():
        setattr(vendor, field, value)
    after = vendor_snapshot(vendor)
    if after == before:
        return vendor
    try:
        with transaction.atomic():
            vendor.save()
            audit.record(actor=actor, action=action, obj=vendor, before=before, after=after, market=vendor.market)
            if before["status"] != after["status"]:
                _sync_codes_with_status(actor=actor, vendor=vendor)
            elif before["trade_name"] != after["trade_name"] or before["full_name"] != after["full_name"]:
                reissue_all_codes(actor=actor, vendor=vendor, reason=_("Đổi tên in trên mã"))
    except IntegrityError as exc:
        raise _stall_taken_error(values.get("stall_number", vendor.stall_number)) from exc
    return vendor


def vendor_change_status(*, actor, vendor: Vendor, status: str, extra: dict | None = None) -> Vendor:
    require_market_write(actor, vendor.market)
    if status not in VendorStatus.values:
        raise ValidationFailed.single("status", _("Trạng thái không hợp lệ"))
    if status != vendor.status and status not in VENDOR_TRANSITIONS[vendor.status]:
        raise Conflict.single(
            "status",
            _("Không thể chuyển từ “%(old)s” sang “%(new)s”")
            % {"old": vendor.get_status_display(), "new": VendorStatus(status).label},
        )
    values = dict(extra or {}, status=status)
    return _apply_vendor_changes(actor=actor, vendor=vendor, values=values, action="vendor.status")


def wallet_account_add(*, actor, vendor: Vendor, partner: str, account_number: str) -> WalletAccount:
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


def wallet_account_deactivate(*, actor, account: WalletAccount, reason: str) -> WalletAccount:
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


def payment_code_issue(*, actor, account: WalletAccount) -> PaymentCode:
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


def payment_code_reissue(*, actor, code: PaymentCode) -> PaymentCode:
    """A new version for the code's account; the code must be the one in use (or none is)."""
    require_market_write(actor, code.wallet_account.vendor.market)
    newer = code.wallet_account.payment_codes.filter(revoked_at__isnull=True).exclude(pk=code.pk).exists()
    if code.revoked_at is not None and newer:
        reason = _("Mã này đã được thay bằng phiên bản mới hơn; hãy cấp lại từ mã đang dùng")
        raise Conflict.single("code", reason)
    return payment_code_issue(actor=actor, account=code.wallet_account)


def payment_code_revoke(*, actor, code: PaymentCode, reason: str) -> PaymentCode:
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


def _issue(*, actor, account: WalletAccount, vendor: Vendor) -> PaymentCode:
    last = account.payment_codes.order_by("-version").values_list("version", flat=True).first() or 0
    code = PaymentCode.objects.create(
        wallet_account=account,
        payment_reference=vendor.payment_reference,
        payload=payload_for(account, vendor),
        version=last + 1,
        issued_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="payment_code.issue",
        obj=code,
        before=None,
        after={"wallet_account": account.pk, "version": code.version, "payload": code.payload},
        market=vendor.market,
    )
    return code


def payload_for(account: WalletAccount, vendor: Vendor) -> str:
    return vietqr.encode(
        bin=partner_bin(account.partner),
        account=account.account_number,
        name=vietqr.merchant_name(vendor.display_name),
        city=vietqr.DEFAULT_CITY,
        reference=vendor.payment_reference,
    )


def _revoke(*, actor, code: PaymentCode, reason: str) -> None:
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


def _revoke_active(*, actor, account: WalletAccount, reason: str) -> None:
    for code in account.payment_codes.filter(revoked_at__isnull=True):
        _revoke(actor=actor, code=code, reason=reason)


def _sync_codes_with_status(*, actor, vendor: Vendor) -> None:
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


def reissue_all_codes(*, actor, vendor: Vendor, reason: str) -> None:
    if vendor.status != VendorStatus.ACTIVE:
        return
    for account in vendor.wallet_accounts.filter(is_active=True):
        if partner_bin(account.partner):
            _revoke_active(actor=actor, account=account, reason=reason)
            _issue(actor=actor, account=account, vendor=vendor)


# --- spreadsheet imports run by a worker ------------------------------------

MAX_IMPORT_BYTES = 20 * 1024 * 1024


def import_job_start(*, actor, market: Market, filename: str, content: bytes, dry_run: bool) -> ImportJob:
    """Queue an import; the worker reports progress on the job as it goes."""
    require_market_write(actor, market)
    if not content:
        raise ValidationFailed.single("file", _("Vui lòng chọn tệp XLSX hoặc CSV"))
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationFailed.single("file", _("Tệp lớn quá 20 MB; hãy chia nhỏ"))
    with transaction.atomic():
        job = ImportJob.objects.create(
            market=market,
            actor=actor,
            filename=filename[:200],
            content=content,
            dry_run=dry_run,
            created_at=clock.now(),
        )
        transaction.on_commit(lambda: _send_import_job(job.pk))
    return job


def import_job_confirm(*, actor, job: ImportJob) -> ImportJob:
    """Import for real the file a dry run checked, without uploading it again.

    Only a finished dry run can be confirmed: confirming a real import (or one
    still running, or failed) would import the file a second time."""
    if not job.dry_run or job.state != ImportState.DONE:
        raise Conflict.single("job", _("Chỉ xác nhận được một lần chạy thử đã xong"))
    return import_job_start(
        actor=actor, market=job.market, filename=job.filename, content=bytes(job.content), dry_run=False
    )


def _send_import_job(job_id: int) -> None:
    from merchants.tasks import run_import_job

    run_import_job.delay(job_id)


def import_job_run(*, job_id: int) -> None:
    """Claim the job (only one worker may) and run the import."""
    from merchants import imports

    claimed = ImportJob.objects.filter(pk=job_id, state=ImportState.QUEUED).update(state=ImportState.RUNNING)
    if not claimed:
        return
    job = ImportJob.objects.select_related("market", "actor").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(done_rows=done, total_rows=total)

    try:
        report = imports.vendor_import(
            actor=job.actor,
            market=job.market,
            filename=job.filename,
            content=bytes(job.content),
            dry_run=job.dry_run,
            progress=progress,
        )
    except DomainError as exc:
        reasons = exc.summary
        ImportJob.objects.filter(pk=job_id).update(state=ImportState.FAILED, error=reasons, finished_at=clock.now())
        return
    ImportJob.objects.filter(pk=job_id).update(
        state=ImportState.DONE,
        report=report,
        done_rows=report["total_rows"],
        total_rows=report["total_rows"],
        finished_at=clock.now(),
    )
