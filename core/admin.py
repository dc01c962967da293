from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from core.models import AuditEntry, StaffProfile


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by services (with their audit rows): the
    admin shows them and changes nothing."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role"]
    list_filter = ["role"]
    filter_horizontal = ["markets"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the audit log cannot be changed through the app."""

    list_display = ["at", "actor", "action", "object_type", "object_id", "market"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor__username"]
