"""Every revenue book handed out, so its verification code can be checked.

A row holds what the document printed as its period and totals, never more:
the public verification page shows exactly these and nothing else."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    VENDOR_LINK = "vendor_link", _("Đường dẫn riêng của tiểu thương")
    BOARD = "board", _("Ban quản lý chợ in tại bàn")
    OPERATOR = "operator", _("Cán bộ vận hành")


class DocumentFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"


class RevenueDocument(models.Model):
    code = models.CharField(_("mã xác minh"), max_length=16, unique=True)
    vendor = models.ForeignKey("merchants.Vendor", on_delete=models.PROTECT, related_name="+")
    period_key = models.CharField(_("kỳ"), max_length=10)
    first_day = models.DateField(_("từ ngày"))
    last_day = models.DateField(_("đến ngày"))
    payments_count = models.PositiveIntegerField(_("số lượt thanh toán"))
    payments_amount = models.BigIntegerField(_("tiền thanh toán (đồng)"))
    refunds_count = models.PositiveIntegerField(_("số lượt hoàn tiền"))
    refunds_amount = models.BigIntegerField(_("tiền hoàn (đồng)"))
    produced_at = models.DateTimeField(_("thời điểm lập"))
    produced_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("nơi lập"), max_length=12, choices=Channel.choices)
    format = models.CharField(_("định dạng"), max_length=4, choices=DocumentFormat.choices)

    class Meta:
        ordering = ["-produced_at", "-id"]
        verbose_name = _("sổ doanh thu đã cấp")
        verbose_name_plural = _("sổ doanh thu đã cấp")

    def __str__(self) -> str:
        return f"{self.code} {self.period_key}"

    @property
    def net_amount(self) -> int:
        return self.payments_amount - self.refunds_amount
