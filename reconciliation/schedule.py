"""When the nightly runs happen: each partner's run for yesterday at
RECONCILIATION_AT (02:00 Asia/Ho_Chi_Minh, Celery's timezone, by default)."""

from celery.schedules import crontab
from django.conf import settings

from core.partners import Partner


def beat_schedule() -> dict:
    at = settings.RECONCILIATION_AT
    return {
        f"reconciliation-nightly-{partner.value}": {
            "task": "reconciliation.reconcile_yesterday",
            "schedule": crontab(hour=at.hour, minute=at.minute),
            "args": (partner.value,),
        }
        for partner in Partner
    }
