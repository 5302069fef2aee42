from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridopsConfig(AppConfig):
    name = "fengqiao.gridops"
    label = "gridops"
    verbose_name = _("Grid operations")

    def ready(self) -> None:
        from fengqiao.cases.panels import CasePanel, register_case_panel
        from fengqiao.gridops.views import case_panel_context

        register_case_panel(
            CasePanel("daily_log", "gridops/_case_panel.html", case_panel_context, order=5)
        )
        self._register_reminder()

    def _register_reminder(self) -> None:
        from django.apps import apps

        if not apps.is_installed("fengqiao.jobs"):
            return
        from fengqiao.gridops.services import log_reminders_send
        from fengqiao.jobs.registry import register_periodic

        # Runs with the rule passes (every 5 minutes); the reminder itself waits for the
        # rule's hour and tells each worker once a day.
        register_periodic("daily_log_reminder", log_reminders_send)
