"""Audit rows. Services call `record` inside their transaction."""

from typing import Any

from django.db.models import Model

from core import clock
from core.models import AuditEntry


def record(
    *,
    actor: Any,
    action: str,
    obj: Model,
    before: dict | None,
    after: dict | None,
    market: Any = None,
    note: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(**entry_fields(actor, action, obj, before, after, market, note))


def entry(
    *, actor: Any, action: str, obj: Model, before: dict | None, after: dict | None, market: Any = None, note: str = ""
) -> AuditEntry:
    """An unsaved entry, for bulk_create in batch services (imports)."""
    return AuditEntry(**entry_fields(actor, action, obj, before, after, market, note))


def entry_fields(actor, action, obj, before, after, market, note) -> dict:
    return {
        "actor": actor if getattr(actor, "is_authenticated", False) else None,
        "action": action,
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "market": market,
        "before": before,
        "after": after,
        "note": note,
        "at": clock.now(),
    }


def history_of(obj: Model):
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related("actor")
