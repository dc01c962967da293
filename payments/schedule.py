"""Celery beat entries of the payments app, merged in by `market40.apps.Market40Config.ready`."""

from django.conf import settings


def beat_schedule() -> dict:
    return {
        # Catches up on follow-up work whose task was never sent or whose worker died.
        "payments-sweep-outbox": {"task": "payments.sweep_outbox", "schedule": float(settings.OUTBOX_SWEEP_SECONDS)},
    }
