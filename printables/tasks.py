"""The app's Celery tasks, where the worker's autodiscovery looks for them.
Each is declared beside the work it runs."""

from printables.poster_jobs import render_poster_batch

__all__ = ["render_poster_batch"]
