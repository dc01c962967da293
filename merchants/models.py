from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import Expression, F, Func, Q, Value
from django.db.models.functions import Concat, Lower
from django.utils.translation import gettext_lazy as _

from core.partners import Partner
from core.text import FOLD_SEPARATORS, VIETNAMESE_ASCII, VIETNAMESE_LETTERS


class District(models.TextChoices):
    NINH_KIEU = "ninh-kieu", "Ninh Kiều"
    BINH_THUY = "binh-thuy", "Bình Thủy"
    CAI_RANG = "cai-rang", "Cái Răng"
    O_MON = "o-mon", "Ô Môn"
    THOT_NOT = "thot-not", "Thốt Nốt"
    PHONG_DIEN = "phong-dien", "Phong Điền"
    CO_DO = "co-do", "Cờ Đỏ"
    THOI_LAI = "thoi-lai", "Thới Lai"
    VINH_THANH = "vinh-thanh", "Vĩnh Thạnh"


class MarketClass(models.TextChoices):
    # Hạng chợ per Decree 60/2024/NĐ-CP: class I is the largest.
    CLASS_1 = "1", _("Hạng 1")
    CLASS_2 = "2", _("Hạng 2")
    CLASS_3 = "3", _("Hạng 3")


class Market(models.Model):
    """A market of the register. Its place is its current commune-level unit
    (official code and name from the dataset, merchants/units.py); the former
    district and ward of old Cần Thơ stay as history, so figures of the pilot
    compare across the reform of 1 July 2025. An empty unit code is a mapping
    an operator has still to settle (a former ward that was split)."""

    code = models.CharField(_("mã chợ"), max_length=16, unique=True)
    name = models.CharField(_("tên chợ"), max_length=120)
    unit_code = models.CharField(_("mã phường/xã hiện nay"), max_length=5, blank=True, db_index=True)
    unit_name = models.CharField(_("phường/xã hiện nay"), max_length=80, blank=True)
    # Blank for a market of the former Hậu Giang or Sóc Trăng, which had no
    # place among the nine districts of old Cần Thơ.
    district = models.CharField(_("quận/huyện cũ"), max_length=16, choices=District.choices, blank=True)
    ward = models.CharField(_("phường/xã cũ"), max_length=80, blank=True)
    in_original_register = models.BooleanField(_("thuộc 109 chợ ban đầu"), default=False)
    # City figures of a day count the markets in the register that day. Empty
    # for the programme's original markets, in the register from its start.
    registered_on = models.DateField(_("ngày vào sổ đăng ký"), null=True, blank=True)
    market_class = models.CharField(_("hạng chợ"), max_length=1, choices=MarketClass.choices)
    stall_count = models.PositiveIntegerField(_("số sạp"))
    is_pilot = models.BooleanField(_("thí điểm Chợ 4.0"), default=False)
    pilot_start_date = models.DateField(_("ngày bắt đầu thí điểm"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("chợ")
        verbose_name_plural = _("chợ")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_pilot=False) | Q(pilot_start_date__isnull=False),
                name="pilot_market_has_start_date",
            ),
            models.CheckConstraint(
                condition=Q(unit_code="") | Q(unit_code__regex=r"^[0-9]{5}$"),
                name="market_unit_code_five_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class GoodsCategory(models.TextChoices):
    VEGETABLES = "rau-cu", _("Rau củ")
    FRUIT = "trai-cay", _("Trái cây")
    MEAT = "thit", _("Thịt")
    FISH = "thuy-san", _("Cá và thủy sản")
    RICE = "gao", _("Gạo và lương thực")
    DRY_GOODS = "do-kho", _("Đồ khô và gia vị")
    GROCERIES = "tap-hoa", _("Tạp hóa")
    FOOD = "an-uong", _("Ăn uống")
    CLOTHING = "vai-quan-ao", _("Vải và quần áo")
    HOUSEWARES = "gia-dung", _("Đồ gia dụng")
    FLOWERS = "hoa", _("Hoa và cây cảnh")
    OTHER = "khac", _("Khác")


class VendorStatus(models.TextChoices):
    DRAFT = "draft", _("Nháp")
    ACTIVE = "active", _("Đang hoạt động")
    SUSPENDED = "suspended", _("Tạm ngưng")
    CLOSED = "closed", _("Đã nghỉ")


# The lifecycle a person may move a vendor through; closed is final.
VENDOR_TRANSITIONS: dict[str, set[str]] = {
    VendorStatus.DRAFT: {VendorStatus.ACTIVE, VendorStatus.CLOSED},
    VendorStatus.ACTIVE: {VendorStatus.SUSPENDED, VendorStatus.CLOSED},
    VendorStatus.SUSPENDED: {VendorStatus.ACTIVE, VendorStatus.CLOSED},
    VendorStatus.CLOSED: set(),
}

CONSENT_TEXT_VERSION = "2026-01"


def _regexp_replace(expression: Expression | F, pattern: str, replacement: str) -> Func:
    return Func(expression, Value(pattern), Value(replacement), Value("g"), function="regexp_replace")


def _search_key() -> Func:
    """The vendor's searchable words, folded as `core.text.fold` folds a
    search term: name, trade name and vendor code, and the stall as written,
    without its separators and by its digits alone, so "A-16", "a16" and
    "161" all begin a word of stall A-161."""
    stall = F("stall_number")
    parts: list[Expression | F] = [
        F("full_name"),
        F("trade_name"),
        stall,
        _regexp_replace(stall, "[^A-Za-z0-9]+", ""),
        _regexp_replace(stall, "[^0-9]+", " "),
        F("code"),
    ]
    spaced: list[Expression | F] = []
    for part in parts:
        spaced += [part, Value(" ")]
    folded = Lower(Func(Concat(*spaced[:-1]), Value(VIETNAMESE_LETTERS), Value(VIETNAMESE_ASCII), function="translate"))
    return _regexp_replace(folded, FOLD_SEPARATORS, " ")


# Searched by word prefix over a GIN index (selectors.vendor_search).
VENDOR_SEARCH_WORDS = SearchVector("search_key", config="simple")


class Vendor(models.Model):
    code = models.CharField(_("mã tiểu thương"), max_length=16, unique=True)
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="vendors")
    stall_number = models.CharField(_("số sạp"), max_length=16)
    full_name = models.CharField(_("họ và tên"), max_length=100)
    trade_name = models.CharField(_("tên cửa hàng"), max_length=100, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=10)
    national_id = models.CharField(_("số CCCD"), max_length=12)
    category = models.CharField(_("ngành hàng"), max_length=16, choices=GoodsCategory.choices)
    status = models.CharField(_("trạng thái"), max_length=12, choices=VendorStatus.choices, default=VendorStatus.DRAFT)
    payment_reference = models.CharField(_("mã thanh toán"), max_length=12, unique=True)
    consent_version = models.CharField(_("phiên bản văn bản đồng ý"), max_length=16)
    consent_recorded_at = models.DateTimeField(_("thời điểm ghi nhận đồng ý"))
    consent_recorded_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When a vendor who left had their name, phone and CCCD removed (merchants/retention.py).
    anonymised_at = models.DateTimeField(_("ẩn danh lúc"), null=True, blank=True)
    # Kept by the database, so the form, the API and a bulk import all keep it.
    search_key = models.GeneratedField(expression=_search_key(), output_field=models.TextField(), db_persist=True)

    class Meta:
        ordering = ["market__code", "stall_number"]
        verbose_name = _("tiểu thương")
        verbose_name_plural = _("tiểu thương")
        constraints = [
            # A closed vendor frees the stall for the next one.
            models.UniqueConstraint(
                fields=["market", "stall_number"],
                condition=~Q(status="closed"),
                name="one_open_vendor_per_stall",
            ),
        ]
        indexes = [
            models.Index(fields=["market", "status"]),
            GinIndex(VENDOR_SEARCH_WORDS, name="vendor_search_words"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} – {self.stall_number}"

    @property
    def display_name(self) -> str:
        return self.trade_name or self.full_name


class WalletAccount(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="wallet_accounts")
    partner = models.CharField(_("ví"), max_length=12, choices=Partner.choices)
    account_number = models.CharField(_("số tài khoản ví"), max_length=19)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partner", "id"]
        verbose_name = _("tài khoản ví")
        verbose_name_plural = _("tài khoản ví")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "account_number"],
                condition=Q(is_active=True),
                name="one_active_holder_per_partner_account",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_partner_display()} {self.account_number}"


class PaymentCode(models.Model):
    """A static VietQR code for one wallet account; one active at a time."""

    wallet_account = models.ForeignKey(WalletAccount, on_delete=models.PROTECT, related_name="payment_codes")
    payment_reference = models.CharField(max_length=25)
    payload = models.CharField(max_length=512)
    version = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["wallet_account", "-version"]
        verbose_name = _("mã QR thanh toán")
        verbose_name_plural = _("mã QR thanh toán")
        constraints = [
            models.UniqueConstraint(
                fields=["wallet_account"], condition=Q(revoked_at__isnull=True), name="one_active_code_per_account"
            ),
            models.UniqueConstraint(fields=["wallet_account", "version"], name="code_version_unique"),
        ]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang xử lý")
    DONE = "done", _("Xong")
    FAILED = "failed", _("Lỗi")


class ImportJob(models.Model):
    """A spreadsheet import run by a worker, so a long one shows progress and
    the clerk can leave the page and come back. The file is kept so a dry
    run can be confirmed without uploading it again."""

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="import_jobs")
    actor = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    dry_run = models.BooleanField()
    state = models.CharField(max_length=10, choices=ImportState.choices, default=ImportState.QUEUED)
    done_rows = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lần nhập bảng tính")
        verbose_name_plural = _("lần nhập bảng tính")

    @property
    def is_finished(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.FAILED)
