"""The navigation a user sees follows their roles (through the access policy)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability
from fengqiao.emergency.selectors import emergency_page_allowed
from fengqiao.followups.selectors import can_see_followups
from fengqiao.gridops.selectors import compliance_allowed, field_allowed, log_pages_allowed
from fengqiao.keypersons.selectors import pages_allowed as key_persons_allowed
from fengqiao.screening.selectors import screening_nav_allowed
from fengqiao.supervision.selectors import supervision_nav_allowed
from fengqiao.web.case_views import can_see_cases
from fengqiao.web.map_views import map_allowed

# (url name, label, who sees it: None = everyone, a capability, or a test of the user)
NAV = [
    ("home", _("Home"), None),
    ("field_home", _("Today's work"), field_allowed),
    ("case_list", _("Cases"), can_see_cases),
    ("case_intake", _("Register a case"), Capability.REPORT_CASES),
    ("alert_board", _("Alerts"), Capability.VIEW_AREA_CASES),
    ("followup_queue", _("Follow-ups"), can_see_followups),
    ("log_list", _("Daily log"), log_pages_allowed),
    ("log_compliance", _("Log compliance"), compliance_allowed),
    ("emergency_list", _("Emergencies"), emergency_page_allowed),
    ("supervision_list", _("Supervision"), supervision_nav_allowed),
    ("screening_list", _("Screening"), screening_nav_allowed),
    ("keyperson_list", _("Key persons"), key_persons_allowed),
    ("report_disputes", _("Figures"), Capability.VIEW_AREA_CASES),
    ("map_page", _("Map"), map_allowed),
    ("person_list", _("Residents"), Capability.VIEW_PEOPLE),
    ("person_create", _("Register a resident"), Capability.REGISTER_PEOPLE),
]


def _allowed(user: Any, rule: Any) -> bool:
    if rule is None:
        return True
    if callable(rule):
        return rule(user)
    return jurisdiction.can(user, rule)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {"url": reverse(name), "label": label, "name": name}
        for name, label, capability in NAV
        if _allowed(user, capability)
    ]
    if jurisdiction.is_administrator(user):
        items.append({"url": reverse("admin:index"), "label": _("Configuration"), "name": "admin"})
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    return {"nav_items": items, "nav_current": current}
