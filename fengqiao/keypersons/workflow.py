"""The level change's lifecycle as data: a change to a higher level takes effect at once;
a change to a lower one waits for a centre leader, who approves or refuses it (a leader
lowering a level approves it in the same step). `keypersons.services` is its one writer.

Who may ask for a change: the person's responsible staff and the leaders over the area
(the relation "manager", answered by `selectors.may_manage`).
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.roles import Role
from fengqiao.core.lifecycle import Lifecycle, Transition, transition
from fengqiao.keypersons.models import ChangeStatus

NEW = ""
MANAGER = "manager"

TRANSITIONS: tuple[Transition, ...] = (
    transition("raise", _("Raise the level"), {NEW}, {ChangeStatus.APPLIED}, {MANAGER}),
    transition("lower", _("Ask to lower the level"), {NEW}, {ChangeStatus.PENDING}, {MANAGER}),
    transition(
        "approve",
        _("Approve"),
        {ChangeStatus.PENDING},
        {ChangeStatus.APPLIED},
        {Role.LEADER},
        refused=_("Only a centre leader approves lowering a level."),
    ),
    transition(
        "refuse",
        _("Refuse"),
        {ChangeStatus.PENDING},
        {ChangeStatus.REFUSED},
        {Role.LEADER},
        refused=_("Only a centre leader decides on lowering a level."),
    ),
)


def _state_label(state: str) -> str:
    return str(ChangeStatus(state).label) if state else gettext("new")


LIFECYCLE = Lifecycle(
    name="level_change",
    transitions=TRANSITIONS,
    state_label=_state_label,
    wrong_state=lambda: gettext("This level change is %(state)s; it cannot be %(action)s now."),
    not_allowed=lambda: gettext(
        "Only the person's responsible staff and the centre's leaders change a level."
    ),
    relations=frozenset({MANAGER}),
)
