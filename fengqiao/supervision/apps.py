from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "fengqiao.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from fengqiao.cases.hooks import register_event_label
        from fengqiao.cases.panels import CasePanel, register_case_panel
        from fengqiao.jobs.registry import register_overdue_hook, register_periodic
        from fengqiao.supervision import services

        for action, label in services.EVENT_LABELS.items():
            register_event_label(action, label)
        register_overdue_hook(services.supervision_raise_for_overdue)
        register_periodic("supervision_escalation", services.supervision_escalate_missed)

        from fengqiao.supervision.views import case_panel_context

        register_case_panel(
            CasePanel("supervision", "supervision/_case_panel.html", case_panel_context, order=20)
        )
