from django.apps import AppConfig


class Market40Config(AppConfig):
    """The project package as an app, for three things only: the Celery beat
    schedule gathered from every app's `schedule.py` (the apps build on no
    project module), the demo commands that span every app, and the
    migrations that created the adoption tables before the models moved to
    `adoption` (a database migrated then still records them, and a fresh one
    still creates the tables through them)."""

    name = "market40"

    def ready(self) -> None:
        from adoption.schedule import beat_schedule as adoption_schedule
        from market40.celery import app as celery_app
        from payments.schedule import beat_schedule as payments_schedule
        from reconciliation.schedule import beat_schedule as reconciliation_schedule

        celery_app.conf.beat_schedule = {
            **(celery_app.conf.beat_schedule or {}),
            **payments_schedule(),
            **reconciliation_schedule(),
            **adoption_schedule(),
        }
