"""Celery beat entries of the payments app, merged in by `PaymentsConfig.ready`."""

BEAT_SCHEDULE = {
    "payments-sweep-outbox": {"task": "payments.sweep_outbox", "schedule": 60.0},
}
