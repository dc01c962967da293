"""Read-only admin: payments change only through intake and services."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from payments.models import OutboxEvent, PaymentAlert, SimulatedNotice, Transaction, WebhookDelivery


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = [
        "partner_transaction_id",
        "partner",
        "kind",
        "status",
        "amount",
        "completed_at",
        "vendor",
        "attribution",
    ]
    list_filter = ["partner", "kind", "status", "attribution", "source", "business_date"]
    search_fields = ["partner_transaction_id", "credit_account", "reference", "vendor__code"]
    date_hierarchy = "business_date"
    list_select_related = ["vendor"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "partner", "received_at", "verdict", "response_status", "partner_transaction_id", "reason"]
    list_filter = ["partner", "verdict"]
    search_fields = ["partner_transaction_id"]
    exclude = ["body"]
    readonly_fields = ["body_text"]


@admin.register(PaymentAlert)
class PaymentAlertAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "partner", "partner_transaction_id", "acknowledged_at"]
    list_filter = ["kind", "partner"]


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "transaction", "created_at", "available_at", "attempts", "processed_at"]
    list_filter = ["kind"]


@admin.register(SimulatedNotice)
class SimulatedNoticeAdmin(ReadOnlyAdmin):
    list_display = ["partner_transaction_id", "partner", "kind", "status", "amount", "completed_at"]
    list_filter = ["partner", "kind", "status"]
