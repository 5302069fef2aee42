from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeyPersonsConfig(AppConfig):
    name = "fengqiao.keypersons"
    label = "keypersons"
    verbose_name = _("Key persons")

    def ready(self) -> None:
        from fengqiao.alerts.rules.key_person import KeyPersonMatch, register_key_person_check
        from fengqiao.alerts.selectors import PERSON_SCOPE
        from fengqiao.areas.services import register_path_copy
        from fengqiao.cases.hooks import register_after_action
        from fengqiao.cases.panels import CasePanel, register_case_panel
        from fengqiao.jobs.registry import register_followup
        from fengqiao.keypersons import selectors, services
        from fengqiao.keypersons.models import KeyPerson, Status

        register_path_copy("keypersons.KeyPerson", "area_path")
        register_path_copy("keypersons.Review", "area_path")

        def registered(person_ids: Any) -> dict[int, Any]:
            """The alert rule's check: the parties on the register (the alert says only the
            level; it is seen by those who may see the record)."""
            return {
                person_id: KeyPersonMatch(
                    severity="high" if rank >= 3 else "medium",
                    reason=str(_("Key person, colour level %(level)s")) % {"level": name},
                )
                for person_id, rank, name in KeyPerson.objects.filter(
                    person_id__in=list(person_ids), status=Status.ACTIVE
                ).values_list("person_id", "level__rank", "level__name")
            }

        register_key_person_check(registered)
        PERSON_SCOPE.visible = selectors.visible_person_ids_q
        PERSON_SCOPE.allowed = selectors.users_who_may_see_person

        def on_case(*, case: Any, action: str, now: Any, **_kwargs: Any) -> None:
            if action != "report":
                return
            person_ids = [
                party.person_id for party in case.parties.all() if party.person_id is not None
            ]
            if person_ids:
                services.incident_record(case=case, person_ids=person_ids, now=now)

        register_after_action(on_case)
        register_followup("key_person_visits", services.visits_overdue_sweep)
        from fengqiao.keypersons.views import case_panel_context

        register_case_panel(
            CasePanel("keypersons", "keypersons/_case_panel.html", case_panel_context, order=3)
        )
