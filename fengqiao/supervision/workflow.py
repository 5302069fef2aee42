"""The supervision order's lifecycle as data: raised by a leader (or by the deadline sweep
for an overdue case), replied to by its lead unit, then closed with a leader's review; a
leader may withdraw it while it stands. A missed reply moves it one level up, and at the
top level marks it overdue: moves the system makes, no person.

`supervision.services` is the one writer: every change asks `ORDER_LIFECYCLE` first, and
pages and the API offer exactly `available_moves`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Role
from fengqiao.core.lifecycle import Lifecycle, Transition, cached, transition
from fengqiao.supervision.models import ACTIVE_STATES, OrderState
from fengqiao.supervision.selectors import user_is_target

# Before the first move: raising creates the order.
NEW = ""
# The lead unit: the person, a member of the team, a liaison of the agency, or a
# dispatcher over the case when the centre leads (`selectors.user_is_target`).
TARGET = "target"
# Moves of the periodic escalation pass; no person takes them.
SYSTEM = "system"

TRANSITIONS: tuple[Transition, ...] = (
    transition(
        "raise",
        _("Raise a supervision order"),
        {NEW},
        {OrderState.OPEN},
        {Role.LEADER},
        ("instruction",),
        refused=_("Only a centre leader can raise a supervision order."),
    ),
    transition(
        "reply",
        _("Reply"),
        {OrderState.OPEN},
        {OrderState.REPLIED},
        {Role.LEADER, TARGET},
        ("text",),
        refused=_("Only the lead unit of this order, or a centre leader, can reply to it."),
    ),
    transition(
        "close",
        _("Close with the review"),
        {OrderState.REPLIED},
        {OrderState.CLOSED},
        {Role.LEADER},
        ("review",),
        refused=_("Only a centre leader can close an order."),
    ),
    transition(
        "withdraw",
        _("Withdraw"),
        ACTIVE_STATES,
        {OrderState.WITHDRAWN},
        {Role.LEADER},
        ("reason",),
        refused=_("Only a centre leader can withdraw an order."),
    ),
    transition("escalate", _("Escalate one level up"), {OrderState.OPEN}, set(), {SYSTEM}),
    transition(
        "mark_overdue", _("Mark overdue at the top level"), {OrderState.OPEN}, set(), {SYSTEM}
    ),
)

ORDER_LIFECYCLE = Lifecycle(
    name="supervision",
    transitions=TRANSITIONS,
    state_label=lambda state: str(OrderState(state).label) if state else "",
    wrong_state=lambda: gettext("This order is %(state)s; it cannot be changed that way."),
    not_allowed=lambda: gettext("Your role may not take “%(action)s” on this order."),
    relations=frozenset({TARGET, SYSTEM}),
)


def _related(user: Any, order: Any) -> Any:
    return cached({TARGET: lambda: order is not None and user_is_target(user, order)})


def refusal(user: Any, order: Any, action: str, *, audit: dict[str, Any]) -> Any:
    """Why `user` may not take `action` on `order` (None: a new order) now, or None."""
    return ORDER_LIFECYCLE.refusal(
        ORDER_LIFECYCLE.get(action),
        state=order.state if order is not None else NEW,
        roles=jurisdiction.roles_of(user),
        related=_related(user, order),
        audit=audit,
    )


def available_moves(user: Any, order: Any) -> list[Transition]:
    return ORDER_LIFECYCLE.available(
        state=order.state, roles=jurisdiction.roles_of(user), related=_related(user, order)
    )
