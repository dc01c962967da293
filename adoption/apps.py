from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdoptionConfig(AppConfig):
    name = "adoption"
    verbose_name = _("Chương trình Chợ 4.0")

    def ready(self) -> None:
        from adoption import receivers  # noqa: F401 — connects the rollups to payments
        from adoption.schedule import beat_schedule
        from market40.celery import app as celery_app

        celery_app.conf.beat_schedule = {**(celery_app.conf.beat_schedule or {}), **beat_schedule()}
