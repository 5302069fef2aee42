from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "fengqiao.mediation"
    label = "mediation"
    verbose_name = _("Mediation")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed

        from fengqiao.cases.hooks import register_event_label, register_precondition
        from fengqiao.mediation import services
        from fengqiao.orgs.models import MediationOrganization

        for action, label in EVENT_LABELS.items():
            register_event_label(action, label)
        register_precondition("resolve", services.resolve_precondition)
        # A team given categories (in the admin, or by the demo town's loader) becomes the
        # proposed route of those that have none yet; an administrator's route is kept.
        m2m_changed.connect(
            _seed_routes,
            sender=MediationOrganization.categories.through,
            dispatch_uid="mediation_seed_routes",
        )
        self._register_panel()
        self._register_pass()

    def _register_panel(self) -> None:
        from fengqiao.cases.panels import CasePanel, register_case_panel
        from fengqiao.mediation.views import case_panel_context

        register_case_panel(
            CasePanel("mediation", "mediation/_case_panel.html", case_panel_context, order=30)
        )

    def _register_pass(self) -> None:
        from django.apps import apps

        if not apps.is_installed("fengqiao.jobs") or not apps.is_installed("fengqiao.notify"):
            return
        from fengqiao.jobs.registry import register_periodic
        from fengqiao.mediation.judicial import judicial_window_pass

        register_periodic("judicial_window", judicial_window_pass)


def _seed_routes(sender: object, instance: object, action: str, **kwargs: object) -> None:
    if action == "post_add":
        from fengqiao.mediation.services import category_team_seed

        category_team_seed()


EVENT_LABELS = {
    "mediation_start": _("Mediation started"),
    "mediation_session": _("Mediation session"),
    "mediation_session_attach": _("Files added to a mediation session"),
    "agreement_draft": _("Mediation agreement drafted"),
    "agreement_redraft": _("Mediation agreement redrafted"),
    "agreement_sign": _("Mediation agreement signed"),
    "judicial_apply": _("Judicial confirmation applied for"),
    "judicial_result": _("Judicial confirmation result"),
}
