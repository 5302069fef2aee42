"""The periodic pass over missed replies: each open order whose reply deadline has passed
moves one level up with a new deadline from that level; at the top level it is marked
overdue, once. Moves of the system (`workflow.SYSTEM`): no person takes them."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from fengqiao.audit.services import audit_record
from fengqiao.core import clock
from fengqiao.supervision import workflow
from fengqiao.supervision.models import SupervisionLevel, SupervisionOrder
from fengqiao.supervision.services.common import (
    due_text,
    reply_due,
    target_user_ids,
    tell,
    timeline,
)
from fengqiao.workcal.calendar import WorkingCalendar
from fengqiao.workcal.selectors import calendar_load

logger = logging.getLogger(__name__)

# The states the two moves start from, as the table has them.
_FROM = workflow.ORDER_LIFECYCLE.get("escalate").sources


def supervision_escalate_missed(
    *, now: dt.datetime | None = None, calendar: WorkingCalendar | None = None
) -> dict[str, int]:
    """Move each open order whose reply is missed one level up, with a new reply deadline
    from that level; at the top level, mark it overdue once. Idempotent."""
    now = now or clock.now()
    calendar = calendar or calendar_load()
    levels = list(SupervisionLevel.objects.order_by("rank"))
    next_level = {
        level.pk: (levels[index + 1] if index + 1 < len(levels) else None)
        for index, level in enumerate(levels)
    }
    result = {"escalated": 0, "overdue": 0}
    candidates = list(
        SupervisionOrder.objects.filter(state__in=_FROM, reply_due_at__lt=now, overdue_at_top=False)
        .order_by("reply_due_at", "pk")
        .values_list("pk", "level_id", "reply_due_at")
    )
    for pk, level_id, due_at in candidates:
        try:
            outcome = _escalate_one(pk, level_id, due_at, next_level.get(level_id), now, calendar)
        except Exception:
            # One order failing (e.g. a target removed meanwhile) must not stop the rest.
            logger.exception("Escalating supervision order %s failed", pk)
            continue
        if outcome:
            result[outcome] += 1
    return result


@transaction.atomic
def _escalate_one(
    pk: int,
    level_id: int,
    due_at: dt.datetime,
    higher: SupervisionLevel | None,
    now: dt.datetime,
    calendar: WorkingCalendar,
) -> str | None:
    # Compare-and-set on what was read: another pass that got here first has changed the
    # level or the deadline (or the order was replied meanwhile), and this one does nothing.
    unchanged = SupervisionOrder.objects.filter(
        pk=pk, level_id=level_id, reply_due_at=due_at, state__in=_FROM
    )
    if higher is not None:
        new_due, provisional = reply_due(higher, now, calendar)
        won = unchanged.update(
            level=higher,
            reply_due_at=new_due,
            reply_due_provisional=provisional,
            escalation_count=F("escalation_count") + 1,
            escalated_at=now,
        )
        action, outcome = "supervision_escalated", "escalated"
    else:
        won = unchanged.filter(overdue_at_top=False).update(overdue_at_top=True)
        action, outcome = "supervision_overdue", "overdue"
    if not won:
        return None
    order = SupervisionOrder.objects.select_related("case", "case__area", "level").get(pk=pk)
    timeline(None, order, action, now)
    audit_record(
        action=f"supervision.{outcome}",
        target=order,
        area=order.case.area,
        details={
            "level": order.level.code,
            "missed_due_at": due_at.isoformat(),
            "reply_due_at": order.reply_due_at.isoformat(),
        },
    )
    with translation.override(settings.LANGUAGE_CODE):
        if higher is not None:
            title = _("Supervision order %(number)s escalated to %(level)s") % {
                "number": order.number,
                "level": order.level.name,
            }
            body = _("The reply was not given in time. Reply by %(due)s.") % {
                "due": due_text(order)
            }
        else:
            title = _("Supervision order %(number)s is overdue") % {"number": order.number}
            body = _("The reply was not given in time at the highest level.")
        recipients = target_user_ids(order)
        if order.issued_by_id:
            recipients.add(order.issued_by_id)
        tell(
            recipients,
            order,
            title=title,
            body=body,
            condition=f"{outcome}:{order.level.rank}:{order.escalation_count}",
            now=now,
        )
    return outcome
