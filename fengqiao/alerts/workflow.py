"""The alert lifecycle as data: open → acknowledged → handled (saying how) or dismissed
(saying why), and who may take each move. `alerts.services.alert_act` is its one writer;
the board and the API offer exactly `available_moves`.

Alerts are for the people who watch their area's cases (`selectors.ALERT_CAPABILITY`):
any of them acknowledges an alert or marks it handled once dealt with; dismissing a
warning as unfounded is a decision of those who command the area (a leader, a
dispatcher, a village cadre), since an alert is never silently dropped. Only a leader
raises one by hand (`alert_flag_case`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Role, roles_with
from fengqiao.alerts.models import ACTIVE_STATUSES, Status
from fengqiao.alerts.selectors import ALERT_CAPABILITY
from fengqiao.core.lifecycle import Lifecycle, Transition, transition

# Before the first move: the flag raises the alert.
NEW = ""

WATCHERS = roles_with(ALERT_CAPABILITY)
COMMANDERS = frozenset({Role.LEADER, Role.DISPATCHER, Role.VILLAGE_CADRE})

TRANSITIONS: tuple[Transition, ...] = (
    transition(
        "flag",
        _("Flag a case for attention"),
        {NEW},
        {Status.OPEN},
        {Role.LEADER},
        ("note",),
        refused=_("Only a centre leader can flag a case."),
    ),
    transition("acknowledge", _("Acknowledge"), {Status.OPEN}, {Status.ACKNOWLEDGED}, WATCHERS),
    # Handling or dismissing an open alert acknowledges it on the way.
    transition("handle", _("Mark handled"), ACTIVE_STATUSES, {Status.HANDLED}, WATCHERS, ("note",)),
    transition(
        "dismiss",
        _("Dismiss"),
        ACTIVE_STATUSES,
        {Status.DISMISSED},
        COMMANDERS,
        ("note",),
        refused=_("Dismissing a warning is for a leader, a dispatcher or a village cadre."),
    ),
)

# What the note of a move must say, shown as its prompt and as the refusal of an empty one.
NOTE_PROMPTS = {
    "flag": _("Say why the case needs attention."),
    "handle": _("Say how the alert was handled."),
    "dismiss": _("Give the reason for dismissing the alert."),
}

ALERT_LIFECYCLE = Lifecycle(
    name="alert",
    transitions=TRANSITIONS,
    state_label=lambda status: str(Status(status).label) if status else "",
    wrong_state=lambda: gettext("This alert is %(state)s; it cannot be changed that way."),
    not_allowed=lambda: gettext("Your role may not take “%(action)s” on this alert."),
)


def _nobody(relation: str) -> bool:
    return False


def available_moves(user: Any, status: str) -> list[Transition]:
    """The moves `user` may take on an alert of `status` (the flag is not one of them)."""
    return [
        move
        for move in ALERT_LIFECYCLE.available(
            state=status, roles=jurisdiction.roles_of(user), related=_nobody
        )
        if move.action != "flag"
    ]


def refusal(user: Any, status: str, move: Transition, *, audit: dict[str, Any]) -> Any:
    return ALERT_LIFECYCLE.refusal(
        move, state=status, roles=jurisdiction.roles_of(user), related=_nobody, audit=audit
    )
