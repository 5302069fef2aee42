"""A case while it is drawn: what is decided about it before its path (`CaseSpec`), and
the path itself as the steps and records are added (`CasePath`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fengqiao.cases.models import Outcome, State
from fengqiao.demo.cases import texts as text
from fengqiao.demo.cases.plan import StepPlan
from fengqiao.demo.cases.worktime import MINUTE


@dataclass
class CaseSpec:
    """What is decided about a case before its path is drawn."""

    template: text.Template
    kind: str
    fate: str = "closed"  # closed (played to the end) | open (stopped in open_state) | rejected
    open_state: str = ""
    extension_pending: bool = False
    outcome: str = Outcome.RESOLVED
    outcome_note: str = ""
    grade: str = ""
    force_suspend: bool = False
    reopen: str = ""  # how a follow-up finds the agreement not kept: "term" | "dissatisfied"
    # resolved late in October: the judicial-confirmation window closes at the demo's "now"
    judicial_window: bool = False
    # the iron triangle: a unit head reports, grid and village pass it up, the town brings
    # in the judicial office (`Handling.up_the_triangle`)
    triangle: bool = False
    # filled when the case is drawn: who follows it up, and its words for the records
    followup_actor: str = ""
    words: dict[str, Any] | None = None


class PathStopped(Exception):
    """The case stands where its path got to: an open case in the state it was drawn for."""


class CasePath:
    """The steps of one case, in time order, with the state each leaves it in."""

    def __init__(self, received_at: dt.datetime, stop: Callable[[StepPlan], bool] | None) -> None:
        self.t = received_at
        self.state: str = State.REPORTED
        self.steps: list[StepPlan] = []
        self.records: list[Any] = []
        self.stop = stop
        self.mediating: tuple[dt.datetime, str] | None = None  # since when, by whom

    def record(self, record: Any) -> None:
        """A mediation or follow-up record; the next step comes after it."""
        self.records.append(record)
        self.t = max(self.t, record.at)

    def add(self, at: dt.datetime, actor: str, action: str, state: str = "", **fields: Any) -> None:
        at = max(at, self.t + MINUTE)
        step = StepPlan(at=at, actor=actor, action=action, state=state or self.state, **fields)
        self.steps.append(step)
        self.t, self.state = at, step.state
        if self.stop is not None and self.stop(step):
            raise PathStopped


def fill(pattern: str, values: dict[str, Any]) -> str:
    """A text template with the case's names, places and figures put in."""
    return pattern.format(**values)
