"""When the nightly runs happen: each partner's run for yesterday, by default
at 02:00 Asia/Ho_Chi_Minh (Celery's timezone). `RECONCILIATION_AT=HH:MM`
moves it; a malformed value stops the process at start."""

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from core.partners import Partner
from market40.env import env_str

DEFAULT_AT = "02:00"


def nightly_at() -> tuple[int, int]:
    raw = env_str("RECONCILIATION_AT", DEFAULT_AT) or DEFAULT_AT
    try:
        hour_text, minute_text = raw.split(":")
        hour, minute = int(hour_text), int(minute_text)
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError
    except ValueError as exc:
        raise ImproperlyConfigured(f"RECONCILIATION_AT must be HH:MM (24-hour), got {raw!r}") from exc
    return hour, minute


def beat_schedule() -> dict:
    hour, minute = nightly_at()
    return {
        f"reconciliation-nightly-{partner.value}": {
            "task": "reconciliation.reconcile_yesterday",
            "schedule": crontab(hour=hour, minute=minute),
            "args": (partner.value,),
        }
        for partner in Partner
    }
