"""The app's Celery tasks, where the worker's autodiscovery looks for them.
Each is declared beside the work it runs."""

from merchants.import_jobs import run_import_job

__all__ = ["run_import_job"]
