"""Settlement files as received, their lines as parsed, and the nightly runs
that match them against recorded transactions, with the exceptions found."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.partners import Partner


class Channel(models.TextChoices):
    INBOX = "inbox", _("Thư mục nhận tệp")
    UPLOAD = "upload", _("Tải lên trên web")
    API = "api", _("API")
    COMMAND = "command", _("Dòng lệnh")


class SettlementFile(models.Model):
    """A partner's file for one business day. The content hash is unique, so
    the same bytes arriving twice (inbox and upload, a retry) import once; a
    corrected file for the same day is a new row and the newest one counts."""

    partner = models.CharField(_("ví"), max_length=12, choices=Partner.choices)
    business_date = models.DateField(_("ngày nghiệp vụ"))
    file_name = models.CharField(_("tên tệp"), max_length=120)
    content_hash = models.CharField(_("mã băm SHA-256"), max_length=64, unique=True)
    size_bytes = models.PositiveBigIntegerField(_("kích thước"))
    line_count = models.PositiveIntegerField(_("số dòng giao dịch"))
    total_amount = models.BigIntegerField(_("tổng số tiền (đồng)"))
    total_fee = models.BigIntegerField(_("tổng phí (đồng)"))
    total_net = models.BigIntegerField(_("tổng thực nhận (đồng)"))
    channel = models.CharField(_("nhận qua"), max_length=8, choices=Channel.choices)
    received_at = models.DateTimeField(_("thời điểm nhận"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-business_date", "partner", "-received_at"]
        verbose_name = _("tệp đối soát")
        verbose_name_plural = _("tệp đối soát")
        indexes = [models.Index(fields=["partner", "business_date", "received_at"])]

    def __str__(self) -> str:
        return self.file_name


class SettlementFileContent(models.Model):
    """The bytes of a file as received (zlib-compressed), kept apart so that
    listing files never reads them: they are the durable truth its lines are
    parsed from again when the lines are gone (see `SettlementLine`)."""

    file = models.OneToOneField(SettlementFile, on_delete=models.CASCADE, primary_key=True, related_name="content")
    data = models.BinaryField(_("nội dung (nén zlib)"))

    class Meta:
        verbose_name = _("nội dung tệp đối soát")
        verbose_name_plural = _("nội dung tệp đối soát")


class SettlementLine(models.Model):
    """One line as parsed, in the partner-neutral vocabulary of the parsers.

    On PostgreSQL the table is UNLOGGED (migration 0002): a million lines
    are written without WAL, several times faster, and after a server crash
    PostgreSQL empties it. The lines are only a parsed copy of the file's
    stored bytes, so a run finding a file's lines gone parses them again
    (`loading.ensure_lines`) and matches exactly as before the crash.
    """

    # A line is its file's line number: the loader numbers a file's lines
    # itself, and a B-tree on these two (written in order, so only ever at
    # its right edge) is all "the lines of a file" needs.
    pk = models.CompositePrimaryKey("file", "line_no")
    # No database constraint: checking it costs one lookup per line at commit
    # (seconds for a million), and only the loader writes lines, always for
    # the file it has just created in the same transaction.
    file = models.ForeignKey(
        SettlementFile, on_delete=models.CASCADE, related_name="lines", db_index=False, db_constraint=False
    )
    line_no = models.PositiveIntegerField(_("dòng"))
    partner_txn_id = models.CharField(_("mã giao dịch của ví"), max_length=64)
    kind = models.CharField(_("loại"), max_length=8)
    status = models.CharField(_("trạng thái"), max_length=10)
    completed_at = models.DateTimeField(_("thời điểm giao dịch"))
    account = models.CharField(_("tài khoản nhận"), max_length=32)
    reference = models.CharField(_("mã thanh toán"), max_length=64, blank=True)
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    fee = models.BigIntegerField(_("phí (đồng)"))
    net_amount = models.BigIntegerField(_("thực nhận (đồng)"))
    original_txn_id = models.CharField(_("mã giao dịch gốc"), max_length=64, blank=True)
    description = models.CharField(_("nội dung"), max_length=200, blank=True)
    # A later line repeating an id seen earlier in the same file.
    is_duplicate = models.BooleanField(_("dòng lặp"), default=False)

    class Meta:
        ordering = ["file", "line_no"]
        verbose_name = _("dòng tệp đối soát")
        verbose_name_plural = _("dòng tệp đối soát")


class RunStatus(models.TextChoices):
    DONE = "done", _("Đã đối soát")
    MISSING_FILE = "missing_file", _("Chưa có tệp")


class ReconciliationRun(models.Model):
    """One run per partner and business date; a rerun replaces its figures."""

    partner = models.CharField(_("ví"), max_length=12, choices=Partner.choices)
    business_date = models.DateField(_("ngày nghiệp vụ"))
    status = models.CharField(_("trạng thái"), max_length=12, choices=RunStatus.choices, default=RunStatus.DONE)
    file = models.ForeignKey(SettlementFile, null=True, blank=True, on_delete=models.PROTECT, related_name="runs")
    # {outcome: {"count", "file_amount", "recorded_amount", "fee", "net"}}
    outcomes = models.JSONField(_("kết quả theo loại"), default=dict)
    line_count = models.PositiveIntegerField(_("số dòng tệp"), default=0)
    transaction_count = models.PositiveIntegerField(_("số giao dịch đã ghi nhận"), default=0)
    total_amount = models.BigIntegerField(_("tổng số tiền theo tệp"), default=0)
    total_fee = models.BigIntegerField(_("tổng phí"), default=0)
    total_net = models.BigIntegerField(_("tổng thực nhận"), default=0)
    exception_count = models.PositiveIntegerField(_("số chênh lệch"), default=0)
    awaiting_count = models.PositiveIntegerField(_("số giao dịch chờ tệp ngày sau"), default=0)
    attempts = models.PositiveIntegerField(_("số lần chạy"), default=0)
    started_at = models.DateTimeField(_("bắt đầu"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)

    class Meta:
        ordering = ["-business_date", "partner"]
        verbose_name = _("lần đối soát")
        verbose_name_plural = _("các lần đối soát")
        constraints = [models.UniqueConstraint(fields=["partner", "business_date"], name="one_run_per_partner_day")]

    def __str__(self) -> str:
        return f"{self.get_partner_display()} {self.business_date:%d/%m/%Y}"


class RunTotal(models.Model):
    """Settled money of one run per vendor (and per market for the unattributed)."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="totals")
    market = models.ForeignKey("merchants.Market", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    vendor = models.ForeignKey("merchants.Vendor", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField()
    amount = models.BigIntegerField()
    fee = models.BigIntegerField()
    net = models.BigIntegerField()

    class Meta:
        ordering = ["run", "market", "vendor"]


class ExceptionKind(models.TextChoices):
    AMOUNT_DIFFERS = "amount_differs", _("Số tiền khác nhau")
    STATUS_DIFFERS = "status_differs", _("Trạng thái khác nhau")
    NOT_RECORDED = "not_recorded", _("Có trong tệp, chưa ghi nhận")
    NOT_IN_FILE = "not_in_file", _("Đã ghi nhận, không có trong tệp")
    DUPLICATE_LINE = "duplicate_line", _("Dòng lặp trong tệp")
    MISSING_FILE = "missing_file", _("Thiếu tệp đối soát")


class ExceptionStatus(models.TextChoices):
    OPEN = "open", _("Chưa xử lý")
    RESOLVED = "resolved", _("Đã xử lý")
    AUTO_RESOLVED = "auto_resolved", _("Tự động đóng")


class ReconciliationException(models.Model):
    """A difference a person must see. `key` identifies it across reruns, so a
    rerun updates it instead of adding a second one."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="exceptions")
    key = models.CharField(max_length=140)
    kind = models.CharField(_("loại chênh lệch"), max_length=16, choices=ExceptionKind.choices)
    partner = models.CharField(_("ví"), max_length=12, choices=Partner.choices)
    business_date = models.DateField(_("ngày nghiệp vụ"))
    partner_txn_id = models.CharField(_("mã giao dịch của ví"), max_length=64, blank=True)
    line_no = models.PositiveIntegerField(_("dòng trong tệp"), null=True, blank=True)
    transaction = models.ForeignKey(
        "payments.Transaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    market = models.ForeignKey("merchants.Market", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    vendor = models.ForeignKey("merchants.Vendor", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    file_side = models.JSONField(_("theo tệp của ví"), null=True, blank=True)
    recorded_side = models.JSONField(_("theo hệ thống"), null=True, blank=True)
    file_amount = models.BigIntegerField(_("số tiền theo tệp"), null=True, blank=True)
    recorded_amount = models.BigIntegerField(_("số tiền đã ghi nhận"), null=True, blank=True)
    explanation = models.TextField(_("giải thích"))
    status = models.CharField(
        _("trạng thái"), max_length=14, choices=ExceptionStatus.choices, default=ExceptionStatus.OPEN
    )
    created_at = models.DateTimeField(_("phát hiện lúc"))
    resolved_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_note = models.TextField(_("ghi chú xử lý"), blank=True)

    class Meta:
        ordering = ["-business_date", "partner", "kind", "line_no", "id"]
        verbose_name = _("chênh lệch đối soát")
        verbose_name_plural = _("chênh lệch đối soát")
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="one_exception_per_key")]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["market", "status"]),
            models.Index(fields=["partner", "partner_txn_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.partner_txn_id}"

    @property
    def is_open(self) -> bool:
        return self.status == ExceptionStatus.OPEN
