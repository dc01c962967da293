from django.contrib import admin
from django.http import HttpRequest

from revenue.models import RevenueDocument


@admin.register(RevenueDocument)
class RevenueDocumentAdmin(admin.ModelAdmin):
    """Read-only: a document is written when it is handed out, never by hand."""

    list_display = ("code", "vendor", "period_key", "format", "channel", "produced_at", "produced_by")
    list_filter = ("format", "channel")
    search_fields = ("code", "vendor__code")
    date_hierarchy = "produced_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RevenueDocument | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RevenueDocument | None = None) -> bool:
        return False
