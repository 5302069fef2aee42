from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "fengqiao.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from fengqiao.audit import receivers  # noqa: F401
