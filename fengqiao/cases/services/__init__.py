"""The only writers of cases, one module per concern:

- `registration`: `case_create` registers a matter, `case_create_many` a batch,
  `case_validate` says what either would refuse;
- `engine`: `case_act` performs any action of the lifecycle table (`workflow.TRANSITIONS`),
  and says which actions a user may take now (`available_actions`, `refusal`);
- `effects`: what each action does to the case;
- `timeline`: the append-only timeline (`case_record_event(s)` for steps that keep the
  state);
- `deadlines`: recomputing provisional deadlines when the calendar changes.

Callers import from here.
"""

from fengqiao.cases.services.deadlines import case_recompute_deadlines
from fengqiao.cases.services.effects import MAX_EXTENSION_DAYS, REQUIRED_MESSAGES
from fengqiao.cases.services.engine import (
    CaseConflict,
    available_actions,
    case_act,
    is_assignee,
    permission_refusal,
    readiness_refusal,
    refusal,
)
from fengqiao.cases.services.registration import (
    BACKDATE_GRACE,
    CREATE_MANY_LIMIT,
    PartyInput,
    case_create,
    case_create_many,
    case_validate,
)
from fengqiao.cases.services.timeline import (
    action_label,
    actor_name,
    case_record_event,
    case_record_events,
)

__all__ = [
    "BACKDATE_GRACE",
    "CREATE_MANY_LIMIT",
    "MAX_EXTENSION_DAYS",
    "REQUIRED_MESSAGES",
    "CaseConflict",
    "PartyInput",
    "action_label",
    "actor_name",
    "available_actions",
    "case_act",
    "case_create",
    "case_create_many",
    "case_recompute_deadlines",
    "case_record_event",
    "case_record_events",
    "case_validate",
    "is_assignee",
    "permission_refusal",
    "readiness_refusal",
    "refusal",
]
