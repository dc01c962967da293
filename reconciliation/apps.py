from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReconciliationConfig(AppConfig):
    name = "reconciliation"
    verbose_name = _("Đối soát")

    def ready(self) -> None:
        from payments.signals import transaction_changed
        from reconciliation.hooks import on_transaction_changed

        transaction_changed.connect(on_transaction_changed, dispatch_uid="reconciliation-recheck")
