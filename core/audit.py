"""Audit rows. Services call `record` inside their transaction."""

from typing import Any, TypeAlias

from django.db.models import Model, QuerySet

from core import clock
from core.actors import Actor, recorded_user
from core.models import AuditEntry

# A record's state before or after the change, as JSON; None when it had none.
State: TypeAlias = dict[str, Any] | None


def record(
    *, actor: Actor, action: str, obj: Model, before: State, after: State, market: Model | None = None, note: str = ""
) -> AuditEntry:
    return AuditEntry.objects.create(**entry_fields(actor, action, obj, before, after, market, note))


def entry(
    *, actor: Actor, action: str, obj: Model, before: State, after: State, market: Model | None = None, note: str = ""
) -> AuditEntry:
    """An unsaved entry, for bulk_create in batch services (imports)."""
    return AuditEntry(**entry_fields(actor, action, obj, before, after, market, note))


def entry_fields(
    actor: Actor, action: str, obj: Model, before: State, after: State, market: Model | None, note: str
) -> dict[str, Any]:
    return {
        "actor": recorded_user(actor),
        "action": action,
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "market": market,
        "before": before,
        "after": after,
        "note": note,
        "at": clock.now(),
    }


def history_of(obj: Model) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related("actor")
