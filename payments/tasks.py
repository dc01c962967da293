"""The app's Celery tasks, where the worker's autodiscovery looks for them.
Each is declared beside the work it runs."""

from payments.outbox import process_outbox_events, sweep_outbox

__all__ = ["process_outbox_events", "sweep_outbox"]
