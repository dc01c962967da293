"""Celery beat entries of the payments app, merged in by `PaymentsConfig.ready`."""

from market40.env import env_int

BEAT_SCHEDULE = {
    # Catches up on follow-up work whose task was never sent or whose worker died.
    "payments-sweep-outbox": {"task": "payments.sweep_outbox", "schedule": float(env_int("OUTBOX_SWEEP_SECONDS", 60))},
}
