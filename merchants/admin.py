from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from merchants.models import Market, PaymentCode, Vendor, WalletAccount


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district", "ward", "market_class", "stall_count", "is_pilot", "pilot_start_date"]
    list_filter = ["district", "is_pilot", "market_class"]
    search_fields = ["code", "name", "ward"]


class WalletAccountInline(admin.TabularInline):
    model = WalletAccount
    extra = 0
    readonly_fields = ["partner", "account_number", "is_active", "created_at"]
    can_delete = False


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["code", "market", "stall_number", "full_name", "status", "payment_reference"]
    list_filter = ["status", "market__district", "category"]
    search_fields = ["code", "full_name", "stall_number", "payment_reference"]
    readonly_fields = [f.name for f in Vendor._meta.fields]
    inlines = [WalletAccountInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Vendors are written through services (validation and audit), not here.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(PaymentCode)
class PaymentCodeAdmin(admin.ModelAdmin):
    list_display = ["wallet_account", "version", "payment_reference", "issued_at", "revoked_at"]
    readonly_fields = [f.name for f in PaymentCode._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
