"""What raising, replying and escalating share: numbers and deadlines, the texts of an
order, who answers for it, and how a change reaches the case's timeline and the people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Role
from fengqiao.cases.services import case_record_event
from fengqiao.core.errors import DomainError
from fengqiao.core.sequences import sequence_take
from fengqiao.notify.models import Kind as NotificationKind
from fengqiao.notify.services import notify
from fengqiao.orgs.selectors import unit_people
from fengqiao.supervision.models import SupervisionLevel, SupervisionOrder, TargetKind
from fengqiao.workcal.calendar import CENTRE_TZ, WorkingCalendar, due_after
from fengqiao.workcal.selectors import calendar_load

GENERAL_LEVEL = "general"
MAX_TEXT = 4000
NUMBER_SEQUENCE = "supervision"

EVENT_LABELS = {
    "supervision_raised": gettext_lazy("Supervision order raised"),
    "supervision_replied": gettext_lazy("Supervision order replied"),
    "supervision_closed": gettext_lazy("Supervision order closed"),
    "supervision_withdrawn": gettext_lazy("Supervision order withdrawn"),
    "supervision_escalated": gettext_lazy("Supervision order escalated"),
    "supervision_overdue": gettext_lazy("Supervision reply missed at the top level"),
}

# The default tiers, installed by the data migration and editable in the admin.
DEFAULT_LEVELS = [
    # code, name (as staff write it), rank, reply working days, colour
    ("general", "一般", 1, 5, "#2563eb"),
    ("key", "重点", 2, 3, "#ea580c"),
    ("listed", "挂牌督办", 3, 2, "#b91c1c"),
]


def supervision_levels_install() -> None:
    """The default tiers, where no tier of that code or rank exists yet."""
    taken_codes = set(SupervisionLevel.objects.values_list("code", flat=True))
    taken_ranks = set(SupervisionLevel.objects.values_list("rank", flat=True))
    for code, name, rank, days, colour in DEFAULT_LEVELS:
        if code in taken_codes or rank in taken_ranks:
            continue
        SupervisionLevel.objects.get_or_create(
            code=code,
            defaults={"name": name, "rank": rank, "reply_working_days": days, "colour": colour},
        )


def level_by_code(code: str) -> SupervisionLevel:
    level = SupervisionLevel.objects.filter(code=str(code or "")).first()
    if level is None:
        raise DomainError("level", _("Choose a supervision level from the list."), field="level")
    return level


def lowest_level() -> SupervisionLevel:
    level = (
        SupervisionLevel.objects.filter(code=GENERAL_LEVEL).first()
        or SupervisionLevel.objects.order_by("rank").first()
    )
    if level is None:
        raise DomainError(
            "level",
            _("No supervision level is configured; ask the system administrator."),
            field="level",
        )
    return level


def next_numbers(now: dt.datetime, count: int) -> list[str]:
    year = timezone.localtime(now, CENTRE_TZ).year
    last = sequence_take(NUMBER_SEQUENCE, year, count)
    return [f"DB-{year}-{number:06d}" for number in range(last - count + 1, last + 1)]


def reply_due(
    level: SupervisionLevel, now: dt.datetime, calendar: WorkingCalendar | None
) -> tuple[dt.datetime, bool]:
    due = due_after(calendar or calendar_load(), now, level.reply_working_days)
    return due.due_at, due.provisional


def clean_text(value: Any, *, code: str, message: str, field: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise DomainError(code, message, field=field)
    if len(text) > MAX_TEXT:
        raise DomainError(
            code,
            _("Keep it under %(n)d characters.") % {"n": MAX_TEXT},
            field=field,
        )
    return text


def is_leader(user: Any) -> bool:
    return Role.LEADER in jurisdiction.roles_of(user)


def refusal_audit(
    actor: Any, action: str, *, order: Any = None, case_id: Any = None
) -> dict[str, Any]:
    """The audit row of a refused change to `order` (or of raising one on `case_id`)."""
    audit: dict[str, Any] = {"action": f"supervision.{action}", "actor": actor}
    if order is not None:
        audit.update(target=order, area=order.case.area, details={"state": order.state})
    else:
        audit.update(target_type="cases.case", target_id=str(case_id or ""))
    return audit


def default_matter(case: Any) -> str:
    return f"{case.number} {case.title}"


def order_link(order: SupervisionOrder) -> str:
    return reverse("supervision_detail", args=[order.pk])


def due_text(order: SupervisionOrder) -> str:
    return timezone.localtime(order.reply_due_at, CENTRE_TZ).strftime("%Y-%m-%d %H:%M")


def target_user_ids(order: SupervisionOrder) -> set[int]:
    """The active people who answer for the order: the person, the team's members, the
    agency's liaisons, or the dispatchers over the case."""
    return target_user_ids_many([order])[order.pk]


def target_user_ids_many(orders: list[SupervisionOrder]) -> dict[int, set[int]]:
    """`target_user_ids` of each order, in three queries for the lead units (an order
    has exactly one) and one for the dispatchers when the centre leads."""
    people = unit_people(
        (order.pk, order.target_user_id, order.target_team_id, order.target_agency_id)
        for order in orders
    )
    dispatchers = (
        jurisdiction.Overseers.of(Role.DISPATCHER)
        if any(order.target_kind == TargetKind.CENTRE for order in orders)
        else None
    )
    return {
        order.pk: (
            dispatchers.over(order.case.area_path)
            if order.target_kind == TargetKind.CENTRE and dispatchers
            else people[order.pk]
        )
        for order in orders
    }


def tell(
    recipients: Iterable[int],
    order: SupervisionOrder,
    *,
    title: str,
    body: str,
    condition: str,
    now: dt.datetime,
) -> None:
    recipients = sorted(set(recipients))
    if not recipients:
        return
    notify(
        recipients=recipients,
        kind=NotificationKind.SUPERVISION,
        title=title,
        body=body,
        link=order_link(order),
        case=order.case,
        dedupe_key=f"supervision:{order.pk}:{condition}",
        now=now,
    )


def timeline_data(order: SupervisionOrder) -> dict[str, Any]:
    return {
        "order": order.pk,
        "number": order.number,
        "level": order.level.name,
        "state": order.state,
        "reply_due_at": order.reply_due_at.isoformat(),
    }


def timeline(
    actor: Any, order: SupervisionOrder, action: str, now: dt.datetime, *, note: str = ""
) -> None:
    case_record_event(
        actor=actor, case=order.case, action=action, note=note, data=timeline_data(order), now=now
    )
