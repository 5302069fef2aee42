from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "fengqiao.screening"
    label = "screening"
    verbose_name = _("Dispute screening")

    def ready(self) -> None:
        from fengqiao.areas.services import register_path_copy
        from fengqiao.cases.hooks import register_event_label
        from fengqiao.cases.panels import CasePanel, register_case_panel
        from fengqiao.jobs.registry import register_followup
        from fengqiao.screening import services
        from fengqiao.screening.views import case_panel_context

        register_path_copy("screening.ScreeningReport", "area_path")
        for action, label in services.EVENT_LABELS.items():
            register_event_label(action, label)
        # The daily pass (07:30 in the centre): opens the half-month's regular round when
        # the policy says so, and reminds those who have not reported.
        register_followup("screening", services.screening_daily_pass)
        register_case_panel(
            CasePanel("screening", "screening/_case_panel.html", case_panel_context, order=5)
        )
