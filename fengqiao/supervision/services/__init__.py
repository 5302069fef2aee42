"""The only writers of supervision orders, one module per concern:

- `raising`: `supervision_raise` (a leader) and `supervision_raise_for_overdue` (the
  deadline sweep's hook);
- `transitions`: `supervision_reply`, `supervision_close`, `supervision_withdraw`, each
  checked against the table in `supervision.workflow`;
- `escalation`: `supervision_escalate_missed`, the periodic pass over missed replies;
- `common`: numbers, deadlines, texts and recipients they share.

Callers import from here.
"""

from fengqiao.supervision.services.common import (
    DEFAULT_LEVELS,
    EVENT_LABELS,
    GENERAL_LEVEL,
    MAX_TEXT,
    default_matter,
    is_leader,
    level_by_code,
    lowest_level,
    supervision_levels_install,
    target_user_ids,
)
from fengqiao.supervision.services.escalation import supervision_escalate_missed
from fengqiao.supervision.services.raising import (
    supervision_raise,
    supervision_raise_for_overdue,
)
from fengqiao.supervision.services.transitions import (
    may_reply,
    may_review,
    supervision_close,
    supervision_reply,
    supervision_withdraw,
)

__all__ = [
    "DEFAULT_LEVELS",
    "EVENT_LABELS",
    "GENERAL_LEVEL",
    "MAX_TEXT",
    "default_matter",
    "is_leader",
    "level_by_code",
    "lowest_level",
    "may_reply",
    "may_review",
    "supervision_close",
    "supervision_escalate_missed",
    "supervision_levels_install",
    "supervision_raise",
    "supervision_raise_for_overdue",
    "supervision_reply",
    "supervision_withdraw",
    "target_user_ids",
]
