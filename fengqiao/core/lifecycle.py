"""A lifecycle as data: the allowed moves of one kind of object, read by its one writer.

Each kind of object with states (cases, supervision orders, alerts, and every new one)
writes its table of `Transition`s once (`cases/workflow.py`, `supervision/workflow.py`,
`alerts/workflow.py`) and wraps it in a `Lifecycle`. The object's one writer asks the
lifecycle whether an actor may take a move now (`refusal`), and pages and the API ask it
which moves to offer (`available`), so the three never disagree.

Who may move is named by role (the actor's roles, given by the caller) or by a relation to
the object ("assignee", "target"), which the caller answers lazily: a relation is looked up
only when no role already decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from fengqiao.core.errors import ActionRefused, DomainError, NotAllowed, WrongState


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise
    sources: frozenset[str]
    targets: frozenset[str]  # empty: the state does not change
    actors: frozenset[str]  # roles, or relations to the object
    requires: tuple[str, ...] = ()
    # Said when the actor may not take it; the lifecycle's general sentence otherwise.
    refused: str | Promise | None = None

    @property
    def keeps_state(self) -> bool:
        return not self.targets


def transition(
    action: str,
    label: str | Promise,
    sources: Iterable[str],
    targets: Iterable[str],
    actors: Iterable[str],
    requires: tuple[str, ...] = (),
    *,
    refused: str | Promise | None = None,
) -> Transition:
    return Transition(
        action,
        label,
        frozenset(sources),
        frozenset(targets),
        frozenset(actors),
        requires,
        refused,
    )


Related = Callable[[str], bool]


@dataclass(frozen=True)
class Lifecycle:
    """The table of one kind of object, with how its refusals read.

    `wrong_state` and `not_allowed` are message templates with `%(action)s` and
    `%(state)s`; `state_label` names a state for people.
    """

    name: str
    transitions: tuple[Transition, ...]
    state_label: Callable[[str], str]
    wrong_state: Callable[[], str]
    not_allowed: Callable[[], str]
    relations: frozenset[str] = field(default_factory=frozenset)
    actions: Mapping[str, Transition] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "actions", {t.action: t for t in self.transitions})

    def get(self, action: str) -> Transition:
        found = self.actions.get(action)
        if found is None:
            raise DomainError(
                "unknown_action", _("Unknown action: %(action)s") % {"action": str(action)[:40]}
            )
        return found

    def may(self, moving: Transition, *, roles: frozenset[str], related: Related) -> bool:
        """Whether the table names this actor for the move (by role, else by relation)."""
        if roles & moving.actors:
            return True
        return any(related(relation) for relation in self.relations & moving.actors)

    def refusal(
        self,
        moving: Transition,
        *,
        state: str,
        roles: frozenset[str],
        related: Related,
        audit: dict[str, Any],
    ) -> ActionRefused | None:
        """Why the move is refused now (the exception to raise, with its audit row), or
        None when the table allows it. A wrong state is said first: it is true for
        everyone, and tells the actor nothing about the object they could not see."""
        values = {"action": moving.label, "state": self.state_label(state)}
        if state not in moving.sources:
            return WrongState(self.wrong_state() % values, audit=audit)
        if not self.may(moving, roles=roles, related=related):
            message = str(moving.refused) if moving.refused else self.not_allowed() % values
            return NotAllowed(message, audit=audit)
        return None

    def available(self, *, state: str, roles: frozenset[str], related: Related) -> list[Transition]:
        return [
            moving
            for moving in self.transitions
            if state in moving.sources and self.may(moving, roles=roles, related=related)
        ]


def cached(relations: Mapping[str, Callable[[], bool]]) -> Related:
    """A `related` answer that looks each relation up once, and only when asked."""
    known: dict[str, bool] = {}

    def related(name: str) -> bool:
        if name not in known:
            lookup = relations.get(name)
            known[name] = bool(lookup()) if lookup is not None else False
        return known[name]

    return related
