from django.apps import AppConfig


class Market40Config(AppConfig):
    """The project package as an app, for four things only: the Celery beat
    schedule gathered from every app's `schedule.py` (the apps build on no
    project module), the demo commands that span every app, the retention
    pass and the vendor data export that span them too (their commands and
    the nightly task, scheduled here), and the
    migrations that created the adoption tables before the models moved to
    `adoption` (a database migrated then still records them, and a fresh one
    still creates the tables through them)."""

    name = "market40"

    def ready(self) -> None:
        from celery.schedules import crontab
        from django.conf import settings

        from adoption.schedule import beat_schedule as adoption_schedule
        from market40.celery import app as celery_app
        from payments.schedule import beat_schedule as payments_schedule
        from reconciliation.schedule import beat_schedule as reconciliation_schedule

        celery_app.conf.beat_schedule = {
            **(celery_app.conf.beat_schedule or {}),
            **payments_schedule(),
            **reconciliation_schedule(),
            **adoption_schedule(),
            "retention-nightly": {
                "task": "market40.apply_retention",
                "schedule": crontab(hour=settings.RETENTION_AT.hour, minute=settings.RETENTION_AT.minute),
            },
        }
