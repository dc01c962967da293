from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Thanh toán")

    def ready(self) -> None:
        from market40.celery import app as celery_app
        from payments import followup  # noqa: F401 — registers the outbox handlers
        from payments.schedule import beat_schedule

        celery_app.conf.beat_schedule = {**(celery_app.conf.beat_schedule or {}), **beat_schedule()}
