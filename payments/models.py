"""Webhook deliveries, transactions, alerts and the outbox.

A partner's field names never appear here: adapters in `payments/partners/`
turn a delivery into a `Notice`, and these tables hold that common shape.
"""

import datetime as dt
from typing import TYPE_CHECKING, Any, NoReturn

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core import clock
from core.formatting import format_datetime, format_stored_moment, format_vnd
from core.partners import Partner

if TYPE_CHECKING:  # the adapters build on these models; models only name the Notice's type
    from payments.partners.base import Notice


class Verdict(models.TextChoices):
    ACCEPTED = "accepted", _("Đã ghi nhận")
    DUPLICATE = "duplicate", _("Trùng lặp")
    CONFLICT = "conflict", _("Xung đột nội dung")
    REJECTED = "rejected", _("Bị từ chối")


class WebhookDelivery(models.Model):
    """One HTTP delivery as it arrived, good or bad. Append-only: the verdict
    is known before the row is written, so a row is never updated, except
    by the retention pass (payments/retention.py), which redacts the body
    of an old delivery and keeps the original's hash.

    On PostgreSQL the table is partitioned by month of `received_at`
    (payments/partitions.py, migration 0007): the database's primary key is
    (id, received_at), while the ORM keeps `id`, unique through its sequence."""

    partner = models.CharField(_("ví"), max_length=12, choices=Partner.choices)
    received_at = models.DateTimeField(_("thời điểm nhận"), db_index=True)
    headers = models.JSONField(_("tiêu đề"), default=dict)
    body = models.BinaryField(_("nội dung gốc"))
    body_size = models.PositiveIntegerField(_("kích thước nội dung"))
    verdict = models.CharField(_("kết quả"), max_length=12, choices=Verdict.choices)
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    response_status = models.PositiveSmallIntegerField(_("mã HTTP trả lời"))
    partner_transaction_id = models.CharField(_("mã giao dịch của ví"), max_length=64, blank=True)
    transaction = models.ForeignKey(
        "Transaction", null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    # Nearly every row has neither, so their indexes are partial (below).
    # No database constraint: the table is partitioned by month
    # (payments/partitions.py), and a foreign key cannot reference `id` alone
    # there, since the database's primary key is (id, received_at).
    replay_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replays",
        db_index=False,
        db_constraint=False,
    )
    replayed_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Set by the retention pass: when the payer's data left the body, and the
    # SHA-256 of the body as it arrived, so the original is still provable.
    redacted_at = models.DateTimeField(_("xoá dữ liệu cá nhân lúc"), null=True, blank=True)
    body_sha256 = models.CharField(_("SHA-256 nội dung gốc"), max_length=64, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("lần nhận webhook")
        verbose_name_plural = _("nhật ký nhận webhook")
        # Every delivery pays for each index here. The log reads newest first
        # (received_at); the few deliveries that were not accepted have their
        # own index, so a page of them is found without scanning the rest; a
        # transaction's deliveries go through `transaction`.
        indexes = [
            models.Index(fields=["received_at"], condition=~Q(verdict=Verdict.ACCEPTED), name="delivery_not_accepted"),
            models.Index(fields=["replay_of"], condition=Q(replay_of__isnull=False), name="delivery_replays"),
            models.Index(fields=["replayed_by"], condition=Q(replayed_by__isnull=False), name="delivery_replayers"),
        ]

    def __str__(self) -> str:
        return f"{self.get_partner_display()} {format_datetime(self.received_at, seconds=True)} {self.verdict}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("webhook deliveries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("webhook deliveries are append-only")

    @property
    def body_text(self) -> str:
        return bytes(self.body).decode("utf-8", errors="replace")


class Kind(models.TextChoices):
    PAYMENT = "payment", _("Thanh toán")
    REFUND = "refund", _("Hoàn tiền")


class Status(models.TextChoices):
    COMPLETED = "completed", _("Thành công")
    FAILED = "failed", _("Thất bại")
    REVERSED = "reversed", _("Đã đảo")


class Source(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook")
    SETTLEMENT = "settlement", _("File đối soát")


class Attribution(models.TextChoices):
    MATCHED = "matched", _("Đã gán theo tài khoản")
    UNATTRIBUTED = "unattributed", _("Chưa gán được")
    RESOLVED = "resolved", _("Cán bộ đã gán")
    DISMISSED = "dismissed", _("Cán bộ xác nhận không thuộc tiểu thương nào")


class Transaction(models.Model):
    """One partner transaction. (partner, partner_transaction_id) is unique in
    the database: that constraint, not a lookup, makes intake idempotent."""

    partner = models.CharField(_("ví"), max_length=12, choices=Partner.choices)
    partner_transaction_id = models.CharField(_("mã giao dịch của ví"), max_length=64)
    kind = models.CharField(_("loại"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices)
    partner_status = models.CharField(_("mã trạng thái của ví"), max_length=16, blank=True)
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    completed_at = models.DateTimeField(_("thời điểm giao dịch"))
    business_date = models.DateField(_("ngày nghiệp vụ"))
    status_updated_at = models.DateTimeField(_("thời điểm cập nhật trạng thái"), null=True, blank=True)
    credit_account = models.CharField(_("tài khoản nhận"), max_length=32)
    reference = models.CharField(_("mã thanh toán"), max_length=64, blank=True)
    description = models.CharField(_("nội dung"), max_length=200, blank=True)
    original_partner_transaction_id = models.CharField(_("mã giao dịch gốc"), max_length=64, blank=True)
    # Masked by the adapter before it is kept (core.privacy.mask_payer): no
    # customer's full name or account number is stored or shown.
    payer = models.CharField(_("người trả"), max_length=80, blank=True, default="")
    # Indexes are what reads need and every delivery pays to write: the
    # vendor and market ones lead the (…, business_date) indexes below, only
    # refunds have an original, and wallet accounts are never deleted (they
    # are deactivated), so nothing reads transactions by account.
    original = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds", db_index=False
    )
    wallet_account = models.ForeignKey(
        "merchants.WalletAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transactions",
        db_index=False,
    )
    vendor = models.ForeignKey(
        "merchants.Vendor", null=True, blank=True, on_delete=models.PROTECT, related_name="transactions", db_index=False
    )
    # Kept with the vendor so market-scoped reads need no join through vendors.
    market = models.ForeignKey(
        "merchants.Market", null=True, blank=True, on_delete=models.PROTECT, related_name="transactions", db_index=False
    )
    attribution = models.CharField(_("gán tiểu thương"), max_length=12, choices=Attribution.choices)
    attribution_reason = models.CharField(_("lý do chưa gán"), max_length=200, blank=True)
    source = models.CharField(_("nguồn"), max_length=10, choices=Source.choices, default=Source.WEBHOOK)
    content_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("thời điểm ghi nhận"))

    class Meta:
        ordering = ["-completed_at", "-id"]
        verbose_name = _("giao dịch")
        verbose_name_plural = _("giao dịch")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "partner_transaction_id"], name="one_transaction_per_partner_id"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="transaction_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["market", "business_date"]),
            models.Index(fields=["vendor", "business_date"]),
            models.Index(fields=["partner", "business_date"]),
            # Only what reads look for: refunds still waiting for their payment
            # (payments.followup) and the queue of unattributed transactions.
            models.Index(
                fields=["partner", "original_partner_transaction_id"],
                condition=Q(kind=Kind.REFUND, original__isnull=True),
                name="transaction_held_refunds",
            ),
            models.Index(
                fields=["created_at", "id"],
                condition=Q(attribution=Attribution.UNATTRIBUTED),
                name="transaction_unattributed",
            ),
            models.Index(fields=["original"], condition=Q(original__isnull=False), name="transaction_refunds"),
        ]

    def __str__(self) -> str:
        return f"{self.get_partner_display()} {self.partner_transaction_id}"

    @classmethod
    def from_notice(cls, *, partner: str, notice: "Notice", created_at: dt.datetime, **extra: Any) -> "Transaction":
        """An unsaved transaction for what a partner told us (a webhook or a
        settlement line)."""
        return cls(**cls.values_from_notice(partner=partner, notice=notice, created_at=created_at), **extra)

    @staticmethod
    def values_from_notice(*, partner: str, notice: "Notice", created_at: dt.datetime) -> dict:
        """The one place a Notice becomes a row's values, by field name."""
        return {
            "partner": partner,
            "partner_transaction_id": notice.partner_transaction_id,
            "kind": notice.kind,
            "status": notice.status,
            "partner_status": notice.partner_status,
            "amount": notice.amount,
            "completed_at": notice.completed_at,
            "business_date": clock.business_date(notice.completed_at),
            "status_updated_at": notice.status_updated_at,
            "credit_account": notice.credit_account,
            "reference": notice.reference,
            "description": notice.description,
            "original_partner_transaction_id": notice.original_partner_transaction_id,
            "payer": notice.payer,
            "content_digest": notice.digest(),
            "created_at": created_at,
        }

    @property
    def is_held_refund(self) -> bool:
        """A refund whose payment has not arrived yet."""
        return self.kind == Kind.REFUND and self.original_id is None


class AlertKind(models.TextChoices):
    CONFLICT = "conflict", _("Cùng mã giao dịch nhưng khác nội dung")


class PaymentAlert(models.Model):
    """Something a person must look at; the transaction itself stays unchanged."""

    kind = models.CharField(_("loại cảnh báo"), max_length=12, choices=AlertKind.choices)
    partner = models.CharField(_("ví"), max_length=12, choices=Partner.choices)
    partner_transaction_id = models.CharField(_("mã giao dịch của ví"), max_length=64)
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="alerts")
    # No database constraint: the delivery log is partitioned by month and its
    # database primary key is (id, received_at) (payments/partitions.py).
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.PROTECT, related_name="alerts", db_constraint=False)
    detail = models.JSONField(_("chi tiết"), default=dict)
    created_at = models.DateTimeField(_("thời điểm"), db_index=True)
    acknowledged_at = models.DateTimeField(_("đã xem lúc"), null=True, blank=True)
    acknowledged_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("cảnh báo thanh toán")
        verbose_name_plural = _("cảnh báo thanh toán")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.partner} {self.partner_transaction_id}"

    def differences(self) -> list[dict[str, str]]:
        """What a conflict found, as a person reads it: each field by its
        label, moments in business time to the second (a stored side may be
        in UTC and the delivered one in +07:00), amounts in đồng."""
        rows = []
        for name, pair in (self.detail or {}).items():
            before, after = (list(pair) + [None, None])[:2] if isinstance(pair, list | tuple) else (pair, None)
            rows.append(
                {
                    "field": capfirst(transaction_field_label(name)),
                    "before": _alert_value(name, before),
                    "after": _alert_value(name, after),
                }
            )
        return rows


def transaction_field_label(name: str) -> str:
    """A transaction field's name as a person reads it (a conflict's fields)."""
    if name == "content":
        return str(_("nội dung"))
    try:
        field = Transaction._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def _alert_value(name: str, value: object) -> str:
    if name == "amount" and isinstance(value, int) and not isinstance(value, bool):
        return format_vnd(value)
    choices = {"kind": Kind, "status": Status}.get(name)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return format_stored_moment(value)


class OutboxEvent(models.Model):
    """Follow-up work written in the same database transaction as the change
    it follows, so a broker or worker outage delays it and loses nothing."""

    kind = models.CharField(max_length=40)
    # Transactions are never deleted and nothing reads events by transaction:
    # no index for every delivery to write.
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="outbox_events", db_index=False)
    created_at = models.DateTimeField()
    # A worker claims an event by moving this forward with a conditional UPDATE.
    available_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("việc cần làm sau")
        verbose_name_plural = _("hàng việc cần làm sau")
        indexes = [
            models.Index(fields=["available_at"], condition=Q(processed_at__isnull=True), name="outbox_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.transaction_id}"


class SimulatedNotice(models.Model):
    """What the partner simulator said happened, one row per partner
    transaction with its final state, so settlement files can be made later."""

    partner = models.CharField(max_length=12, choices=Partner.choices)
    partner_transaction_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    partner_status = models.CharField(max_length=16, blank=True)
    amount = models.BigIntegerField()
    completed_at = models.DateTimeField()
    status_updated_at = models.DateTimeField(null=True, blank=True)
    credit_account = models.CharField(max_length=32)
    reference = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=200, blank=True)
    original_partner_transaction_id = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["completed_at", "id"]
        verbose_name = _("giao dịch giả lập")
        verbose_name_plural = _("giao dịch giả lập")
        constraints = [
            models.UniqueConstraint(fields=["partner", "partner_transaction_id"], name="one_simulated_per_partner_id")
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.partner_transaction_id}"
