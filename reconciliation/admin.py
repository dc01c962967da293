from django.contrib import admin

from core.admin import ReadOnlyAdmin
from reconciliation.models import ReconciliationException, ReconciliationRun, SettlementFile


@admin.register(SettlementFile)
class SettlementFileAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "partner", "business_date", "line_count", "total_amount", "channel", "received_at"]
    list_filter = ["partner", "channel"]


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = ["partner", "business_date", "status", "line_count", "exception_count", "attempts", "finished_at"]
    list_filter = ["partner", "status"]


@admin.register(ReconciliationException)
class ReconciliationExceptionAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "partner", "kind", "partner_txn_id", "status", "market"]
    list_filter = ["partner", "kind", "status"]
    search_fields = ["partner_txn_id"]
