"""The case lifecycle as data: which action, from which states, to which, by whom, needing what.

`cases.services.case_act` is the only reader that changes anything: it looks the action up
here, checks the actor against `actors` (roles, or the relation ASSIGNEE: the case's
handler, a member of its handling team, a liaison of its handling agency), checks that the
inputs named in `requires` are present, and performs it. Pages and the API read the same
table to offer exactly the actions a user may take now. The table's shape is the one every
lifecycle shares (`core.lifecycle`).
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.roles import Capability, Role, roles_with
from fengqiao.cases.models import State
from fengqiao.core.lifecycle import Lifecycle, Transition
from fengqiao.core.lifecycle import transition as _t

ASSIGNEE = "assignee"
# The one who registered the case: a field worker who settled the matter there and then.
REPORTER = "reporter"

OPEN_STATES = frozenset(
    {
        State.REPORTED,
        State.ACCEPTED,
        State.DISPATCHED,
        State.ACKNOWLEDGED,
        State.IN_PROGRESS,
        State.SUSPENDED,
        State.TRANSFERRED,
        State.ESCALATED,
        State.RESOLVED,
    }
)
TERMINAL_STATES = frozenset({State.REJECTED, State.MERGED, State.CLOSED})
# States in which the case is being worked on by its handler.
WORKING_STATES = frozenset({State.ACKNOWLEDGED, State.IN_PROGRESS, State.SUSPENDED})
# The clock runs in every open state but these.
CLOCK_STOPPED_STATES = frozenset({State.SUSPENDED, State.RESOLVED})

INTAKE = frozenset({Role.LEADER, Role.INTAKE_CLERK, Role.DISPATCHER, Role.VILLAGE_CADRE})
COMMAND = frozenset({Role.LEADER, Role.DISPATCHER})
REPORTERS = roles_with(Capability.REPORT_CASES)


_BEFORE_WORK = {State.ACCEPTED, State.DISPATCHED, State.ACKNOWLEDGED, State.IN_PROGRESS}
_UNFINISHED = {
    State.REPORTED,
    State.ACCEPTED,
    State.DISPATCHED,
    State.ACKNOWLEDGED,
    State.IN_PROGRESS,
    State.SUSPENDED,
}

TRANSITIONS: tuple[Transition, ...] = (
    _t("accept", _("Accept"), {State.REPORTED}, {State.ACCEPTED}, INTAKE),
    _t("reject", _("Do not accept"), {State.REPORTED}, {State.REJECTED}, INTAKE, ("reason",)),
    _t(
        "merge",
        _("Merge into another case"),
        {State.REPORTED, State.ACCEPTED},
        {State.MERGED},
        INTAKE,
        ("target_case",),
    ),
    _t(
        "dispatch",
        _("Dispatch"),
        {State.ACCEPTED},
        {State.DISPATCHED},
        COMMAND | {Role.VILLAGE_CADRE},
        ("handler",),
    ),
    _t(
        "reassign",
        _("Reassign"),
        {State.DISPATCHED, State.ACKNOWLEDGED, State.IN_PROGRESS},
        {State.DISPATCHED},
        COMMAND,
        ("handler", "reason"),
    ),
    _t(
        "acknowledge", _("Acknowledge (签收)"), {State.DISPATCHED}, {State.ACKNOWLEDGED}, {ASSIGNEE}
    ),
    _t(
        "return",
        _("Return (退回)"),
        {State.DISPATCHED},
        {State.ACCEPTED},
        {ASSIGNEE},
        ("reason",),
    ),
    _t("start", _("Start work"), {State.ACKNOWLEDGED}, {State.IN_PROGRESS}, {ASSIGNEE}),
    _t(
        "record_milestone",
        _("Record the milestone"),
        {
            State.ACKNOWLEDGED,
            State.IN_PROGRESS,
            State.SUSPENDED,
            State.TRANSFERRED,
            State.ESCALATED,
        },
        set(),
        {ASSIGNEE, Role.LEADER},
        ("note",),
    ),
    _t(
        "suspend",
        _("Suspend the clock"),
        {State.IN_PROGRESS},
        {State.SUSPENDED},
        {ASSIGNEE, Role.LEADER},
        ("reason",),
    ),
    _t(
        "resume",
        _("Resume the clock"),
        {State.SUSPENDED},
        {State.IN_PROGRESS},
        {ASSIGNEE, Role.LEADER},
    ),
    _t(
        "request_extension",
        _("Request an extension"),
        WORKING_STATES,
        set(),
        {ASSIGNEE},
        ("days", "reason"),
    ),
    _t("approve_extension", _("Approve the extension"), WORKING_STATES, set(), {Role.LEADER}),
    _t(
        "deny_extension",
        _("Deny the extension"),
        WORKING_STATES,
        set(),
        {Role.LEADER},
        ("reason",),
    ),
    _t("regrade", _("Change the grade"), _UNFINISHED, set(), COMMAND, ("grade", "reason")),
    _t(
        "escalate",
        _("Escalate one level up"),
        _BEFORE_WORK,
        {State.ACCEPTED, State.ESCALATED},
        {ASSIGNEE, Role.VILLAGE_CADRE} | COMMAND,
        ("reason",),
    ),
    _t(
        "transfer",
        _("Transfer to an agency"),
        _BEFORE_WORK | {State.SUSPENDED},
        {State.TRANSFERRED},
        COMMAND,
        ("agency", "reason"),
    ),
    # 就地化解: a matter settled where it was found, by the one who found it, before anyone
    # accepted it; it counts as resolved at their level.
    _t(
        "settle_on_spot",
        _("Settled on the spot (就地化解)"),
        {State.REPORTED},
        {State.RESOLVED},
        {REPORTER},
        ("note",),
    ),
    _t(
        "resolve",
        _("Record the result"),
        {State.IN_PROGRESS, State.TRANSFERRED, State.ESCALATED},
        {State.RESOLVED},
        {ASSIGNEE, Role.LEADER},
        ("outcome", "note"),
    ),
    _t(
        "close",
        _("Close and archive"),
        {State.RESOLVED},
        {State.CLOSED},
        COMMAND | {Role.INTAKE_CLERK},
    ),
    # Closing waits for the follow-ups (跟到底); a leader may close earlier, saying why.
    _t(
        "close_early",
        _("Close before the follow-ups are done"),
        {State.RESOLVED},
        {State.CLOSED},
        {Role.LEADER},
        ("reason",),
    ),
    _t(
        "reopen",
        _("Reopen"),
        {State.RESOLVED, State.CLOSED},
        {State.IN_PROGRESS},
        COMMAND,
        ("reason",),
    ),
    _t(
        "attach",
        _("Add attachments"),
        OPEN_STATES,
        set(),
        {ASSIGNEE} | REPORTERS,
        ("files",),
    ),
)

CASE_LIFECYCLE = Lifecycle(
    name="case",
    transitions=TRANSITIONS,
    state_label=lambda state: str(State(state).label),
    wrong_state=lambda: gettext("“%(action)s” is not possible while the case is “%(state)s”."),
    not_allowed=lambda: gettext("Your role may not take “%(action)s” on this case."),
    relations=frozenset({ASSIGNEE, REPORTER}),
)
ACTIONS = CASE_LIFECYCLE.actions
# The first entry of every timeline: the matter is registered.
REPORT = "report"
