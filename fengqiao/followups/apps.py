from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "fengqiao.followups"
    label = "followups"
    verbose_name = _("Follow-ups")

    def ready(self) -> None:
        from fengqiao.cases import hooks
        from fengqiao.cases.panels import CasePanel, register_case_panel
        from fengqiao.followups import services
        from fengqiao.followups.views import case_panel_context

        hooks.register_after_action(services.on_case_action)
        hooks.register_precondition("close", services.close_refusal)
        hooks.register_precondition("close_early", services.close_early_refusal)
        hooks.register_event_label(services.EVENT_UNREACHABLE, _("Follow-up: party not reached"))
        hooks.register_event_label(services.EVENT_KEPT, _("Follow-up: agreement kept"))
        hooks.register_event_label(services.EVENT_NOT_KEPT, _("Follow-up: agreement not kept"))
        register_case_panel(
            CasePanel("followups", "followups/_case_panel.html", case_panel_context, order=40)
        )
        self._register_reminders()

    def _register_reminders(self) -> None:
        from django.apps import apps

        if not apps.is_installed("fengqiao.jobs"):
            return
        from fengqiao.followups.services import followups_remind
        from fengqiao.jobs.registry import register_followup

        register_followup("followups_due", followups_remind)
