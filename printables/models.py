from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchState(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang tạo")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Lỗi")


class PosterBatch(models.Model):
    """The poster PDF of a whole market, made by a worker.

    One row per market, layout and content fingerprint: while nothing printed
    changes, every request finds the same row and its finished file.
    """

    market = models.ForeignKey("merchants.Market", on_delete=models.PROTECT, related_name="+")
    layout = models.CharField(_("khổ in"), max_length=8)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(_("trạng thái"), max_length=12, choices=BatchState.choices, default=BatchState.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="posters/", blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lô áp phích")
        verbose_name_plural = _("lô áp phích")
        constraints = [
            models.UniqueConstraint(fields=["market", "layout", "fingerprint"], name="one_poster_batch_per_content")
        ]

    def __str__(self) -> str:
        return f"{self.market_id} {self.layout} {self.state} {self.done}/{self.total}"


class VendorLink(models.Model):
    """The version of a vendor's own link. A token names the version it was
    signed for; a reissue moves the version on, so every older token stops
    at once. A vendor without a row is on version 1."""

    vendor = models.OneToOneField("merchants.Vendor", on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    reissued_at = models.DateTimeField(_("cấp lại lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("liên kết của tiểu thương")
        verbose_name_plural = _("liên kết của tiểu thương")

    def __str__(self) -> str:
        return f"{self.vendor_id} v{self.version}"
