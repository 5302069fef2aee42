from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RefusalRecorder:
    """How `core.errors` writes the audit row of a refusal, and tells whether a row it
    wrote earlier survived (a rolled-back transaction takes it away)."""

    def write(self, **row: Any) -> Any:
        from fengqiao.audit.services import audit_record

        return audit_record(**row)

    def kept(self, written: Any) -> bool:
        from fengqiao.audit.models import AuditEvent

        return AuditEvent.objects.filter(pk=written.pk, row_hash=written.row_hash).exists()


class AuditConfig(AppConfig):
    name = "fengqiao.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from fengqiao.audit import receivers  # noqa: F401
        from fengqiao.core.errors import install_refusal_recorder

        install_refusal_recorder(RefusalRecorder())
