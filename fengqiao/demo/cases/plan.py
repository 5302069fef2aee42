"""The plan of the demo year's cases: what the planner decides and the writer plays.

Plain frozen data, so that two plans compare equal when they are the same.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

from fengqiao.cases.defaults import DEFAULT_TIERS
from fengqiao.cases.models import Kind, Outcome, State
from fengqiao.cases.workflow import OPEN_STATES
from fengqiao.supervision.models import OrderState
from fengqiao.workcal.calendar import CENTRE_TZ, WorkingCalendar

SHANGHAI = CENTRE_TZ
YEAR_START = dt.date(2025, 12, 1)
YEAR_END = dt.date(2026, 11, 25)
# Nothing in the demo happens after this moment; open cases stand where they are then.
CUTOFF = dt.datetime(2026, 11, 25, 18, 0, tzinfo=SHANGHAI)
# The morning the demo town is opened: what is overdue or due soon is counted from here.
REFERENCE_NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)

STORY_KEY = "story"
STORY_RECEIVED_AT = dt.datetime(2026, 5, 11, 9, 20, tzinfo=SHANGHAI)

# Every open state of the lifecycle, in the order of the State choices.
OPEN_STATES_SHOWN = tuple(state for state in State if state in OPEN_STATES)


@dataclass(frozen=True)
class CaseVolume:
    """How many matters of each kind the year brings."""

    disputes: int = 134
    disputes_resolved: int = 129
    demands: int = 2332
    consultations: int = 150
    hazards: int = 46
    emergencies: int = 5
    # Demands deliberately left in each open state at the cut-off (more stand open
    # because they came in during the last days).
    open_per_state: int = 3
    rejected_share: float = 0.015
    merged_share: float = 0.02
    # Supervision orders (督办) the leader raises in the year; the deadline sweep raises
    # its own on every case whose deadline passes.
    leader_orders: int = 36


# The seed's year.
FULL_YEAR = CaseVolume()
# Every feature of the full year in a few dozen cases, for tests.
SMALL_YEAR = CaseVolume(
    disputes=12,
    disputes_resolved=7,
    demands=45,
    consultations=5,
    hazards=4,
    emergencies=1,
    open_per_state=1,
    rejected_share=0.05,
    merged_share=0.05,
    leader_orders=8,
)


@dataclass(frozen=True)
class Handler:
    """Who a case is sent to: ("user", username), ("team", name) or ("agency", kind)."""

    kind: str
    ref: str


@dataclass(frozen=True)
class StepPlan:
    at: dt.datetime
    actor: str
    action: str
    state: str  # the state the case is in after this step
    note: str = ""
    handler: Handler | None = None
    agency: str = ""
    outcome: str = ""
    grade: str = ""
    days: int = 0
    target: str = ""  # the key of the case this one is merged into


# ------------------------------------------------------- mediation and follow-up
# Records that are not lifecycle steps: played through the mediation and follow-up
# services at their time, between the case's steps. Parties are named by their role.
@dataclass(frozen=True)
class MediationStartPlan:
    at: dt.datetime
    actor: str
    organization: str
    mediators: tuple[str, ...]


@dataclass(frozen=True)
class SessionPlan:
    at: dt.datetime  # recorded at
    actor: str
    held_at: dt.datetime
    place: str
    setting: str
    minutes: str
    others_present: str = ""


@dataclass(frozen=True)
class TermPlan:
    obligor: str  # the party role that performs it
    content: str
    manner: str
    due_on: dt.date
    recurring: str = ""


@dataclass(frozen=True)
class AgreementPlan:
    at: dt.datetime
    actor: str
    made_on: dt.date
    facts: str
    matters: str
    terms: tuple[TermPlan, ...] = ()
    oral: bool = False
    performance_note: str = ""


@dataclass(frozen=True)
class SignaturePlan:
    at: dt.datetime
    actor: str
    signed_on: dt.date
    party: str = ""  # a party role, or
    mediator: str = ""  # a mediator's username


@dataclass(frozen=True)
class JudicialApplyPlan:
    at: dt.datetime
    actor: str
    applied_on: dt.date


@dataclass(frozen=True)
class JudicialResultPlan:
    at: dt.datetime
    actor: str
    result: str
    result_on: dt.date


@dataclass(frozen=True)
class FollowUpPlan:
    """One attempt at the follow-up planned for `scheduled_on`: the one for the case's
    `term`th agreed term in effect (in the order the services list them), or with `term`
    0 the one counted in days after the result."""

    at: dt.datetime
    actor: str
    scheduled_on: dt.date
    method: str
    reached: bool
    satisfaction: str = ""
    term: int = 0
    performed: bool = True
    notes: str = ""


Record = (
    MediationStartPlan
    | SessionPlan
    | AgreementPlan
    | SignaturePlan
    | JudicialApplyPlan
    | JudicialResultPlan
    | FollowUpPlan
)

# The demo centre's follow-up policy (回访): disputes keep the product's default (7 and 30
# days after the result, and each agreed term's deadline); other matters get one call
# three days after the result; a consultation answered needs none.
FOLLOWUP_POLICY: dict[str, tuple[tuple[int, ...], bool]] = {
    Kind.DISPUTE: ((7, 30), True),
    Kind.DEMAND: ((3,), False),
    Kind.HAZARD: ((3,), False),
    Kind.EMERGENCY: ((3,), False),
    Kind.CONSULTATION: ((), False),
}


@dataclass(frozen=True)
class PartyPlan:
    role: str
    person: int = -1  # index into TownPlan.persons
    organization: str = ""


@dataclass(frozen=True)
class CasePlan:
    key: str
    kind: str
    grade: str
    category: str
    channel: str
    title: str
    account: str
    area_code: str
    address: str
    latitude: Decimal
    longitude: Decimal
    people_involved: int
    amount_involved: Decimal | None
    reporter: str
    received_at: dt.datetime
    parties: tuple[PartyPlan, ...]
    steps: tuple[StepPlan, ...]
    records: tuple[Record, ...] = ()

    @property
    def state(self) -> str:
        return self.steps[-1].state if self.steps else State.REPORTED

    @property
    def is_open(self) -> bool:
        return self.state not in {State.CLOSED, State.REJECTED, State.MERGED}

    @property
    def is_resolved(self) -> bool:
        """Settled (化解成功), closed or still awaiting its follow-ups: what the headline
        "129 resolved" counts, as the figures do."""
        return self.state in {State.RESOLVED, State.CLOSED} and self.outcome == Outcome.RESOLVED

    @property
    def outcome(self) -> str:
        outcome = ""
        for step in self.steps:
            if step.action == "resolve":
                outcome = step.outcome
            elif step.action == "reopen":
                outcome = ""
        return outcome


# ------------------------------------------------------------ supervision
# Supervision orders (督办单) on the year's cases, played through the supervision services
# between the cases' steps. Who is named by username, teams by name, agencies by kind.
@dataclass(frozen=True)
class SupervisionStepPlan:
    """What happens to an order after it is raised: "reply" (the lead unit), "close" or
    "withdraw" (the leader), or the escalation pass finding the reply missed: "escalate"
    (one level up, to `level`, with a new `reply_due_at`) or "overdue" (at the top)."""

    at: dt.datetime
    action: str
    actor: str = ""  # "" for the escalation pass, which has nobody behind it
    text: str = ""
    level: str = ""
    reply_due_at: dt.datetime | None = None


@dataclass(frozen=True)
class SupervisionPlan:
    """One order: raised by the leader (`origin` "leader") or by the deadline sweep the
    moment the case's deadline `case_due_at` had passed ("overdue"), with its reply
    deadline as the service computes it, and what happens to it until the cut-off."""

    key: str
    case: str  # the key of the case supervised
    origin: str
    raised_at: dt.datetime
    level: str  # the level's code when raised
    reply_due_at: dt.datetime
    target: Handler | None  # None: the dispatchers over the case (nobody handles it)
    matter: str = ""
    instruction: str = ""
    assisting_teams: tuple[str, ...] = ()
    assisting_agencies: tuple[str, ...] = ()
    case_due_at: dt.datetime | None = None
    steps: tuple[SupervisionStepPlan, ...] = ()

    @property
    def state(self) -> str:
        """Its state at the cut-off, as `supervision.models.OrderState` names it."""
        done = {step.action for step in self.steps}
        for action, state in (
            ("withdraw", OrderState.WITHDRAWN),
            ("close", OrderState.CLOSED),
            ("reply", OrderState.REPLIED),
        ):
            if action in done:
                return state
        return OrderState.OPEN

    @property
    def escalations(self) -> tuple[SupervisionStepPlan, ...]:
        return tuple(step for step in self.steps if step.action == "escalate")

    @property
    def due_now(self) -> dt.datetime:
        """The reply deadline at the cut-off: the last escalation's, or the first."""
        for step in reversed(self.steps):
            if step.action == "escalate" and step.reply_due_at is not None:
                return step.reply_due_at
        return self.reply_due_at


# ------------------------------------------------------------ the calendar
@functools.cache
def package_calendar() -> WorkingCalendar:
    """The official calendar as the `chinese_calendar` package has it: the same data the
    database is seeded with, read without a database so that planning stays pure."""
    from fengqiao.workcal.models import DayKind
    from fengqiao.workcal.services import package_exceptions

    exceptions = package_exceptions()
    holidays = {
        day for days in exceptions.values() for day, kind, _ in days if kind == DayKind.HOLIDAY
    }
    workdays = {
        day for days in exceptions.values() for day, kind, _ in days if kind == DayKind.WORKDAY
    }
    return WorkingCalendar(
        known_years=frozenset(exceptions),
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
    )


TIER_DAYS: dict[tuple[str, str], int] = {
    (kind, grade): days for kind, grade, _m, days in DEFAULT_TIERS
}
