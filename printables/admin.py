from django.contrib import admin
from django.http import HttpRequest

from printables.models import PosterBatch


@admin.register(PosterBatch)
class PosterBatchAdmin(admin.ModelAdmin):
    list_display = ["market", "layout", "state", "done", "total", "updated_at"]
    list_filter = ["state", "layout"]
    readonly_fields = [f.name for f in PosterBatch._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
