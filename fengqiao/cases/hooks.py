"""Extension points of the case lifecycle, filled by other apps from their `ready()`.

- `register_precondition("close", check)`: `check(case, actor)` returns why the action is
  not possible now (a translated message) or None. Consulted by `refusal` and
  `available_actions`, so pages, the API and the services agree.
- `register_after_action(hook)`: `hook(case=, action=, actor=, now=, inputs=, data=)` runs
  inside the action's transaction, after the timeline entry (what it writes commits with the
  action, or not at all). `data` is the timeline entry's data. Registration (`case_create`)
  calls the hooks too, with `action="report"` and empty `inputs`.
- `register_event_label("mediation_session", label)`: how the timeline names an entry
  written by `case_record_event` (a lazy translated string).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Precondition = Callable[[Any, Any], "str | None"]
AfterAction = Callable[..., None]

PRECONDITIONS: dict[str, list[Precondition]] = {}
AFTER_ACTION: list[AfterAction] = []
EVENT_LABELS: dict[str, Any] = {}


def register_precondition(action: str, check: Precondition) -> None:
    checks = PRECONDITIONS.setdefault(action, [])
    if check not in checks:
        checks.append(check)


def register_after_action(hook: AfterAction) -> None:
    if hook not in AFTER_ACTION:
        AFTER_ACTION.append(hook)


def register_event_label(action: str, label: Any) -> None:
    EVENT_LABELS[action] = label


def precondition_refusal(case: Any, actor: Any, action: str) -> str | None:
    for check in PRECONDITIONS.get(action, ()):
        reason = check(case, actor)
        if reason is not None:
            return reason
    return None


def run_after_action(**kwargs: Any) -> None:
    for hook in AFTER_ACTION:
        hook(**kwargs)
