"""The lifecycles of screening, as data: the round's and the report's.

A round is opened by a centre leader (or by the daily pass, when the policy opens regular
rounds by itself) and closed by a leader whose jurisdiction holds every area it screens.

A report is expected from each area with someone to file it, and is filed once: a zero
report (零报告) or findings. Findings may be added to it afterwards (a zero report with a
later finding becomes a report with findings) while the round is open; a second zero
report is refused. The area's own reporter files it, or a village cadre or a leader on the
area's behalf (the scope check before the table keeps them to their jurisdiction).

`screening.services` is the one writer: every change asks these tables first, and pages
and the API offer exactly `round_moves` and `report_moves`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Role
from fengqiao.core.lifecycle import Lifecycle, Transition, cached, transition
from fengqiao.screening.models import ReportState, RoundState
from fengqiao.screening.selectors import ON_BEHALF_ROLES, is_area_reporter, user_manages_round

# Before the first move: opening creates the round.
NEW = ""
# The daily pass that opens the half month's regular round; no person.
SYSTEM = "system"
# A leader whose jurisdiction holds every area of the round (`selectors.user_manages_round`).
MANAGER = "manager"
# The area's own reporter: its village cadre, grid worker or unit head.
REPORTER = "reporter"

ROUND_TRANSITIONS: tuple[Transition, ...] = (
    transition(
        "open",
        _("Open a screening round"),
        {NEW},
        {RoundState.OPEN},
        {Role.LEADER, SYSTEM},
        ("period",),
        refused=_("Only a centre leader can open a screening round."),
    ),
    transition(
        "close",
        _("Close the round"),
        {RoundState.OPEN},
        {RoundState.CLOSED},
        {MANAGER},
        refused=_("Only a centre leader over every area of the round can close it."),
    ),
)

ROUND_LIFECYCLE = Lifecycle(
    name="screening_round",
    transitions=ROUND_TRANSITIONS,
    state_label=lambda state: str(RoundState(state).label) if state else "",
    wrong_state=lambda: gettext("This round is %(state)s; it cannot be changed that way."),
    not_allowed=lambda: gettext("Your role may not take “%(action)s” on this round."),
    relations=frozenset({SYSTEM, MANAGER}),
)

REPORTERS = frozenset({REPORTER}) | ON_BEHALF_ROLES
REPORT_REFUSED = _(
    "Only the area's own reporter (its village cadre, grid worker or unit head), or a village "
    "cadre or centre leader over it, can report for it."
)

REPORT_TRANSITIONS: tuple[Transition, ...] = (
    transition(
        "report_nothing",
        _("File a zero report"),
        {ReportState.PENDING},
        {ReportState.NOTHING_FOUND},
        REPORTERS,
        refused=REPORT_REFUSED,
    ),
    transition(
        "report_findings",
        _("Report findings"),
        {ReportState.PENDING},
        {ReportState.FOUND},
        REPORTERS,
        ("findings",),
        refused=REPORT_REFUSED,
    ),
    # While the round is open (the writer checks the round).
    transition(
        "add_findings",
        _("Add findings"),
        {ReportState.NOTHING_FOUND, ReportState.FOUND},
        {ReportState.FOUND},
        REPORTERS,
        ("findings",),
        refused=REPORT_REFUSED,
    ),
)

REPORT_LIFECYCLE = Lifecycle(
    name="screening_report",
    transitions=REPORT_TRANSITIONS,
    state_label=lambda state: str(ReportState(state).label),
    wrong_state=lambda: gettext("This area's report is “%(state)s”; “%(action)s” is not possible."),
    not_allowed=lambda: gettext("Your role may not take “%(action)s” for this area."),
    relations=frozenset({REPORTER}),
)


# --------------------------------------------------------------------------- rounds
def _round_related(user: Any, screening_round: Any) -> Any:
    return cached(
        {
            SYSTEM: lambda: user is None,
            MANAGER: lambda: (
                screening_round is not None and user_manages_round(user, screening_round)
            ),
        }
    )


def round_refusal(user: Any, screening_round: Any, action: str, *, audit: dict[str, Any]) -> Any:
    """Why `user` (None: the daily pass) may not take `action` on the round (None: a new
    one) now, or None."""
    return ROUND_LIFECYCLE.refusal(
        ROUND_LIFECYCLE.get(action),
        state=screening_round.state if screening_round is not None else NEW,
        roles=jurisdiction.roles_of(user),
        related=_round_related(user, screening_round),
        audit=audit,
    )


def round_moves(user: Any, screening_round: Any) -> list[Transition]:
    """The moves `user` may take on the round now (opening is not one of them)."""
    return [
        move
        for move in ROUND_LIFECYCLE.available(
            state=screening_round.state,
            roles=jurisdiction.roles_of(user),
            related=_round_related(user, screening_round),
        )
        if move.action != "open"
    ]


def may_open_rounds(user: Any) -> bool:
    return bool(
        ROUND_LIFECYCLE.available(
            state=NEW, roles=jurisdiction.roles_of(user), related=_round_related(user, None)
        )
    )


# --------------------------------------------------------------------------- reports
def _report_related(user: Any, area: Any) -> Any:
    return cached({REPORTER: lambda: is_area_reporter(user, area)})


def report_refusal(user: Any, state: str, area: Any, action: str, *, audit: dict[str, Any]) -> Any:
    """Why `user` may not take `action` on the report of `area` in `state` now, or None."""
    return REPORT_LIFECYCLE.refusal(
        REPORT_LIFECYCLE.get(action),
        state=state,
        roles=jurisdiction.roles_of(user),
        related=_report_related(user, area),
        audit=audit,
    )


def report_moves(user: Any, state: str, area: Any, *, round_open: bool) -> list[Transition]:
    """The moves `user` may take on the report of `area` in `state`; adding findings only
    while the round is open."""
    return [
        move
        for move in REPORT_LIFECYCLE.available(
            state=state, roles=jurisdiction.roles_of(user), related=_report_related(user, area)
        )
        if round_open or move.action != "add_findings"
    ]
