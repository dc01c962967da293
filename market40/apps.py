from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Market40Config(AppConfig):
    name = "market40"
    verbose_name = _("Chương trình Chợ 4.0")

    def ready(self) -> None:
        from market40.adoption import receivers, tasks  # noqa: F401 — connects the rollups, registers the tasks
        from market40.adoption.schedule import BEAT_SCHEDULE
        from market40.celery import app as celery_app

        celery_app.conf.beat_schedule = {**(celery_app.conf.beat_schedule or {}), **BEAT_SCHEDULE}
