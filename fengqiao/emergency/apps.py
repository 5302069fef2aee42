from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "fengqiao.emergency"
    label = "emergency"
    verbose_name = _("Emergency linkage")

    def ready(self) -> None:
        from fengqiao.cases.hooks import register_after_action, register_event_label
        from fengqiao.cases.panels import CasePanel, register_case_panel
        from fengqiao.emergency.services import (
            EVENT_ACKNOWLEDGED,
            EVENT_LINKED,
            emergency_after_action,
        )

        register_after_action(emergency_after_action)
        register_event_label(EVENT_LINKED, _("Emergency linkage: people and agencies told"))
        register_event_label(EVENT_ACKNOWLEDGED, _("Emergency acknowledged"))
        from fengqiao.emergency.views import case_panel_context

        register_case_panel(
            CasePanel("emergency", "emergency/_case_panel.html", case_panel_context, order=5)
        )
        self._register_pass()

    def _register_pass(self) -> None:
        """Link emergencies left unlinked with the scheduled passes, when jobs are installed."""
        from django.apps import apps

        if not apps.is_installed("fengqiao.jobs"):
            return
        from fengqiao.emergency.services import emergency_link_pending
        from fengqiao.jobs.registry import register_periodic

        register_periodic("emergency_linkage", emergency_link_pending)
