"""The exceptions a domain refusal raises, one per meaning; their messages are translated.

Each kind carries the HTTP status it means, read by the shell (the API's error handler and
the pages) and nowhere else decided:

- `DomainError` (400): the input is invalid; `field` names what to fix. `InvalidInput`
  carries several such problems found in one pass, so a form shows them all at once.
- `NotAllowed` (403): this actor may not take this action.
- `WrongState` (409): the action does not fit the object's state now.
- `Conflict` (409): the object changed since the actor saw it (a stale version).

An object outside the actor's jurisdiction is a 404, exactly like one that does not exist
(`OutOfScope`, raised by `accounts.jurisdiction.get_in_scope`).

`NotAllowed` and `WrongState` are `ActionRefused`, and `OutOfScope` is the 404 of an object
that exists outside the actor's jurisdiction: each carries its audit row, which is written
again once the refused transaction has rolled back (`audits_refusals`), so the refusal stays
on the record while nothing of the change does. The writer is the audit app's, installed
from its `ready()` (this module sits below it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from django.http import Http404

T = TypeVar("T")


class DomainError(Exception):
    """A rule of the domain refuses the input (400).

    `code` is stable (for the API and tests); `message` is for the user, in their
    language; `field` names the form field the message belongs to, when there is one.
    """

    status = 400

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    @property
    def problems(self) -> list[DomainError]:
        """Every problem this error reports (one, unless it is an `InvalidInput`)."""
        return [self]


class InvalidInput(DomainError):
    """Several problems with the input, found in one pass; the first stands for them all."""

    def __init__(self, problems: Iterable[DomainError]) -> None:
        listed = [each for problem in problems for each in problem.problems]
        if not listed:
            raise ValueError("InvalidInput needs at least one problem")
        first = listed[0]
        super().__init__(first.code, first.message, field=first.field)
        self._problems = listed

    @property
    def problems(self) -> list[DomainError]:
        return list(self._problems)


class Problems:
    """Collects the problems of one input so that all of them are reported together.

    problems = Problems()
    with problems.check():
        title = clean_title(raw)       # a DomainError here is kept, and the rest runs
    problems.raise_if_any()
    """

    def __init__(self) -> None:
        self.found: list[DomainError] = []

    def add(self, code: str, message: str, *, field: str | None = None) -> None:
        self.found.append(DomainError(code, message, field=field))

    def check(self) -> _Collecting:
        return _Collecting(self)

    def has(self, field: str) -> bool:
        return any(problem.field == field for problem in self.found)

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_if_any(self) -> None:
        if self.found:
            raise InvalidInput(self.found)


class _Collecting:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: BaseException | None, tb: Any) -> bool:
        # Only input problems are collected; a refusal or a conflict stops the whole step.
        if isinstance(error, DomainError) and type(error).status == DomainError.status:
            self.problems.found.extend(error.problems)
            return True
        return False


class AuditedRefusal(Exception):
    """A refusal that stays on the audit record whatever becomes of the transaction it was
    raised in. `audit` holds the keyword arguments of its audit row (None: nothing to
    record). `write_audit` writes the row unless the one it wrote before still exists, so
    calling it again after each rollback that may have taken the row leaves exactly one.
    """

    audit: dict[str, Any] | None = None
    _written: Any = None

    def write_audit(self) -> None:
        if self.audit is None:
            return
        if _recorder is None:  # pragma: no cover - the audit app installs it
            raise RuntimeError("no audit writer installed for refusals")
        if self._written is not None and _recorder.kept(self._written):
            return
        self._written = _recorder.write(**{"outcome": "denied", **self.audit})


class ActionRefused(AuditedRefusal, DomainError):
    """A refusal that is audited: the actor may not (`NotAllowed`) or not now
    (`WrongState`)."""

    status = 403
    default_code = "not_allowed"

    def __init__(
        self,
        message: str,
        *,
        audit: dict[str, Any],
        code: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(code or self.default_code, message, field=field)
        self.audit = audit


class OutOfScope(AuditedRefusal, Http404):
    """An object outside the actor's jurisdiction: a 404 like one that does not exist; the
    attempt on an object that does exist is audited (`audit`)."""

    def __init__(self, audit: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.audit = audit


class NotAllowed(ActionRefused):
    """The actor's role or relation to the object does not allow the action (403)."""

    status = 403
    default_code = "not_allowed"


class WrongState(ActionRefused):
    """The action does not fit the object's state now (409)."""

    status = 409
    default_code = "wrong_state"


class Conflict(DomainError):
    """The object changed after the actor saw it (409): reload and try again."""

    status = 409


class Recorder(Protocol):
    def write(self, **row: Any) -> Any: ...

    def kept(self, written: Any) -> bool: ...


_recorder: Recorder | None = None


def install_refusal_recorder(recorder: Recorder) -> None:
    """Called once by the audit app: how a refusal's audit row is written, and whether a
    row written earlier is still there (its transaction not rolled back)."""
    global _recorder
    _recorder = recorder


def audits_refusals(func: Callable[..., T]) -> Callable[..., T]:
    """Around a service that runs in a transaction of its own: a refusal raised in it has
    its audit row written again once the transaction has rolled back."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return func(*args, **kwargs)
        except AuditedRefusal as refused:
            refused.write_audit()
            raise

    return wrapper
