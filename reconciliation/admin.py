from django.contrib import admin

from reconciliation.models import ReconciliationException, ReconciliationRun, SettlementFile


class ReadOnly(admin.ModelAdmin):
    """Written by services only (import, runs, resolution with audit)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SettlementFile)
class SettlementFileAdmin(ReadOnly):
    list_display = ["file_name", "partner", "business_date", "line_count", "total_amount", "channel", "received_at"]
    list_filter = ["partner", "channel"]


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnly):
    list_display = ["partner", "business_date", "status", "line_count", "exception_count", "attempts", "finished_at"]
    list_filter = ["partner", "status"]


@admin.register(ReconciliationException)
class ReconciliationExceptionAdmin(ReadOnly):
    list_display = ["business_date", "partner", "kind", "partner_txn_id", "status", "market"]
    list_filter = ["partner", "kind", "status"]
    search_fields = ["partner_txn_id"]
