from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "fengqiao.alerts"
    label = "alerts"
    verbose_name = _("Early warning")

    def ready(self) -> None:
        from fengqiao.areas.services import register_path_copy

        register_path_copy("alerts.Alert", "area_path")
        self._register_pass()

    def _register_pass(self) -> None:
        """Run the warning rules with the scheduled jobs, when the job runner is installed."""
        from django.apps import apps

        if not apps.is_installed("fengqiao.jobs"):
            return
        try:
            from fengqiao.jobs.registry import register_periodic
        except ImportError:
            return
        from fengqiao.alerts.services import alerts_run_all

        register_periodic("alerts", alerts_run_all)
