from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReconciliationConfig(AppConfig):
    name = "reconciliation"
    verbose_name = _("Đối soát")

    def ready(self) -> None:
        from market40.celery import app as celery_app
        from payments.signals import transaction_changed
        from reconciliation.hooks import on_transaction_changed
        from reconciliation.schedule import beat_schedule

        celery_app.conf.beat_schedule = {**(celery_app.conf.beat_schedule or {}), **beat_schedule()}
        transaction_changed.connect(on_transaction_changed, dispatch_uid="reconciliation-recheck")
