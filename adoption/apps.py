from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdoptionConfig(AppConfig):
    name = "adoption"
    verbose_name = _("Chương trình Chợ 4.0")

    def ready(self) -> None:
        from adoption import receivers  # noqa: F401 — connects the rollups to payments
