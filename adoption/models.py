"""Adoption rollups: what the dashboard, the API, the exports and the monthly
report read instead of the transactions table.

Every number here can be recomputed from raw transactions (see
`adoption.services.rollups_recompute`), except the register
snapshot, which records facts of the day (stalls, cohort, vendors) that the
register itself does not keep a history of.

The tables keep the names they had when these models lived in the project
package (`market40_<model>`): moving them into this app changed no table and
no row (see migrations/0001_initial.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.formatting import format_datetime
from core.partners import Partner


class MarketPartnerDay(models.Model):
    """Completed money of one market, at one partner, on one business date."""

    market = models.ForeignKey("merchants.Market", on_delete=models.CASCADE, related_name="+")
    partner = models.CharField(max_length=12, choices=Partner.choices)
    day = models.DateField()
    payments_count = models.PositiveIntegerField(default=0)
    payments_amount = models.BigIntegerField(default=0)
    refunds_count = models.PositiveIntegerField(default=0)
    refunds_amount = models.BigIntegerField(default=0)

    class Meta:
        db_table = "market40_marketpartnerday"
        verbose_name = _("tổng hợp ngày theo chợ và ví")
        verbose_name_plural = _("tổng hợp ngày theo chợ và ví")
        constraints = [
            models.UniqueConstraint(fields=["market", "partner", "day"], name="one_rollup_per_market_partner_day")
        ]
        # The index the period and trend reads use is made by migration
        # market40/migrations/0002: covering (index-only) on PostgreSQL, plain elsewhere.


class VendorDay(models.Model):
    """One vendor's completed money on one business date, so "distinct vendors
    transacting in 30 days" never has to touch the transactions table."""

    market = models.ForeignKey("merchants.Market", on_delete=models.CASCADE, related_name="+")
    vendor = models.ForeignKey("merchants.Vendor", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    payments_count = models.PositiveIntegerField(default=0)
    payments_amount = models.BigIntegerField(default=0)
    refunds_amount = models.BigIntegerField(default=0)

    class Meta:
        db_table = "market40_vendorday"
        verbose_name = _("hoạt động ngày của tiểu thương")
        verbose_name_plural = _("hoạt động ngày của tiểu thương")
        constraints = [models.UniqueConstraint(fields=["market", "vendor", "day"], name="one_activity_per_vendor_day")]
        indexes = [models.Index(fields=["market", "day"])]


class MarketDay(models.Model):
    """Vendors of a market transacting in the 7 and 30 days ending on `day`.

    A missing row on an opened day (see RollupDay) means zero."""

    market = models.ForeignKey("merchants.Market", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    transacting_7d = models.PositiveIntegerField(default=0)
    transacting_30d = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "market40_marketday"
        verbose_name = _("số tiểu thương giao dịch theo ngày")
        verbose_name_plural = _("số tiểu thương giao dịch theo ngày")
        constraints = [models.UniqueConstraint(fields=["market", "day"], name="one_activity_count_per_market_day")]
        indexes = [models.Index(fields=["day"])]


class RollupDay(models.Model):
    """A business date whose MarketDay rows have been computed for every market."""

    day = models.DateField(unique=True)
    opened_at = models.DateTimeField()

    class Meta:
        db_table = "market40_rollupday"
        verbose_name = _("ngày đã tổng hợp")
        verbose_name_plural = _("ngày đã tổng hợp")


class MarketRegisterDay(models.Model):
    """The register as it stood at the end of a day: the register keeps no
    history, so a market leaving the pilot or a vendor closing does not
    rewrite the past."""

    market = models.ForeignKey("merchants.Market", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    in_pilot = models.BooleanField()
    stalls = models.PositiveIntegerField()
    vendors_registered = models.PositiveIntegerField()
    vendors_with_code = models.PositiveIntegerField()
    recorded_at = models.DateTimeField()

    class Meta:
        db_table = "market40_marketregisterday"
        verbose_name = _("ảnh chụp sổ chợ theo ngày")
        verbose_name_plural = _("ảnh chụp sổ chợ theo ngày")
        constraints = [models.UniqueConstraint(fields=["market", "day"], name="one_register_snapshot_per_market_day")]
        indexes = [models.Index(fields=["day"])]


class RollupCheck(models.Model):
    """One run of the nightly check: rollups against a recomputation from
    raw transactions, with what differed (and was then repaired)."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    rows_checked = models.PositiveIntegerField(default=0)
    drift_rows = models.PositiveIntegerField(default=0)
    repaired = models.BooleanField(default=False)
    details = models.JSONField(default=dict)

    class Meta:
        db_table = "market40_rollupcheck"
        ordering = ["-started_at", "-id"]
        verbose_name = _("lần kiểm tra số liệu tổng hợp")
        verbose_name_plural = _("các lần kiểm tra số liệu tổng hợp")

    def __str__(self) -> str:
        return f"{format_datetime(self.started_at)} drift={self.drift_rows}"
