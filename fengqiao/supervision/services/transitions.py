"""An order's transitions by people: the lead unit's reply, a leader's close (with the
review) or withdrawal. Each reads the table (`supervision.workflow`), locks the order,
writes the case's timeline entry and the audit event in one transaction."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Role
from fengqiao.audit.services import audit_record
from fengqiao.core import clock
from fengqiao.core.errors import audits_refusals
from fengqiao.supervision import workflow
from fengqiao.supervision.models import OrderState, SupervisionOrder
from fengqiao.supervision.selectors import order_list_for_user
from fengqiao.supervision.services.common import clean_text, refusal_audit, tell, timeline

T = TypeVar("T")


def in_scope(func: Callable[..., T]) -> Callable[..., T]:
    """Check the order is in the actor's view before the transaction opens (404 if not),
    and audit a refusal after it closed (`audits_refusals`)."""

    audited = audits_refusals(func)

    @functools.wraps(func)
    def wrapper(*, actor: Any, order_id: Any, **kwargs: Any) -> T:
        jurisdiction.get_in_scope(actor, order_list_for_user(user=actor), order_id)
        return audited(actor=actor, order_id=order_id, **kwargs)

    return wrapper


def _locked(actor: Any, order_id: Any, action: str) -> SupervisionOrder:
    """The order, locked, once the table allows `actor` to take `action` on it now."""
    order = (
        SupervisionOrder.objects.select_for_update(of=("self",))
        .select_related("case", "case__area", "level")
        .get(pk=order_id)
    )
    refused = workflow.refusal(
        actor, order, action, audit=refusal_audit(actor, action, order=order)
    )
    if refused is not None:
        raise refused
    return order


def may_reply(user: Any, order: SupervisionOrder) -> bool:
    return any(move.action == "reply" for move in workflow.available_moves(user, order))


def may_review(user: Any, order: SupervisionOrder) -> bool:
    return any(
        move.action in {"close", "withdraw"} for move in workflow.available_moves(user, order)
    )


@in_scope
@transaction.atomic
def supervision_reply(
    *, actor: Any, order_id: Any, text: str, now: dt.datetime | None = None
) -> SupervisionOrder:
    """The lead unit's reply (承办人意见): the person, a member of the team, a liaison of the
    agency, a dispatcher for the centre, or a leader. On time if it comes by the current
    reply deadline and the order was never escalated (an escalation means a missed one)."""
    now = now or clock.now()
    order = _locked(actor, order_id, "reply")
    text = clean_text(text, code="reply", message=_("Write the reply."), field="text")
    order.state = OrderState.REPLIED
    order.reply_text = text
    order.replied_by = actor
    order.replied_at = now
    order.replied_on_time = order.escalation_count == 0 and now <= order.reply_due_at
    order.save(update_fields=["state", "reply_text", "replied_by", "replied_at", "replied_on_time"])
    timeline(actor, order, "supervision_replied", now, note=text)
    audit_record(
        action="supervision.reply",
        actor=actor,
        target=order,
        area=order.case.area,
        details={"on_time": order.replied_on_time},
    )
    issuer = (
        {order.issued_by_id}
        if order.issued_by_id
        else jurisdiction.Overseers.of(Role.LEADER).over(order.case.area_path)
    )
    with translation.override(settings.LANGUAGE_CODE):
        tell(
            issuer - {actor.pk},
            order,
            title=_("Supervision order %(number)s replied") % {"number": order.number},
            body=text,
            condition="replied",
            now=now,
        )
    return order


@in_scope
@transaction.atomic
def supervision_close(
    *, actor: Any, order_id: Any, review: str, now: dt.datetime | None = None
) -> SupervisionOrder:
    """A centre leader closes a replied order with the review (督办室意见)."""
    now = now or clock.now()
    order = _locked(actor, order_id, "close")
    review = clean_text(
        review, code="review", message=_("Write the review of the reply."), field="review"
    )
    order.state = OrderState.CLOSED
    order.review_text = review
    order.closed_by, order.closed_at = actor, now
    order.save(update_fields=["state", "review_text", "closed_by", "closed_at"])
    timeline(actor, order, "supervision_closed", now, note=review)
    audit_record(action="supervision.close", actor=actor, target=order, area=order.case.area)
    return order


@in_scope
@transaction.atomic
def supervision_withdraw(
    *, actor: Any, order_id: Any, reason: str, now: dt.datetime | None = None
) -> SupervisionOrder:
    """A centre leader withdraws an open or replied order, saying why."""
    now = now or clock.now()
    order = _locked(actor, order_id, "withdraw")
    reason = clean_text(
        reason,
        code="reason",
        message=_("Give the reason for withdrawing the order."),
        field="reason",
    )
    order.state = OrderState.WITHDRAWN
    order.withdraw_reason = reason
    order.closed_by, order.closed_at = actor, now
    order.save(update_fields=["state", "withdraw_reason", "closed_by", "closed_at"])
    timeline(actor, order, "supervision_withdrawn", now, note=reason)
    audit_record(action="supervision.withdraw", actor=actor, target=order, area=order.case.area)
    return order
