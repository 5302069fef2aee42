"""/supervision: supervision orders (督办单). Scoped like the pages: an order the user may
not see is a 404 (audited); a role that may not act is a 403; an order in a state that does
not allow it is a 409; bad input is a 400."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import Field

from fengqiao.api.routing import READ_ERRORS, PageParams, Router, page_of, paginate
from fengqiao.api.schemas import Input, StrictInput, ref
from fengqiao.api.types import LocalDatetime, QueryAwareDatetime
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.supervision import selectors, services
from fengqiao.supervision.models import OrderState, SupervisionLevel, SupervisionOrder

router = Router(tags=["supervision"])

TEXT = Field("", max_length=services.MAX_TEXT)


# --------------------------------------------------------------------------- schemas
class Ref(Schema):
    id: int
    name: str


class LevelOut(Schema):
    code: str
    name: str
    rank: int
    reply_working_days: int
    colour: str


class TargetOut(Schema):
    kind: str
    kind_label: str
    user: Ref | None = None
    team: Ref | None = None
    agency: Ref | None = None
    label: str


class OrderOut(Schema):
    id: int
    number: str
    case: dict[str, Any]
    origin: str
    origin_label: str
    level: LevelOut
    matter: str
    instruction: str
    target: TargetOut
    assisting_teams: list[Ref]
    assisting_agencies: list[Ref]
    state: str
    state_label: str
    issued_by: Ref | None = None
    issued_at: LocalDatetime
    reply_due_at: LocalDatetime
    reply_due_provisional: bool
    reply_overdue: bool
    escalation_count: int
    overdue_at_top: bool
    reply_text: str
    replied_by: Ref | None = None
    replied_at: LocalDatetime | None = None
    replied_on_time: bool | None = None
    review_text: str
    withdraw_reason: str
    closed_by: Ref | None = None
    closed_at: LocalDatetime | None = None


OrderPageOut = page_of(OrderOut, "OrderPageOut")


class OrderParams(PageParams):
    target: str = Field(
        "", max_length=40, description='"person:3", "team:2", "agency:1", "centre:0"'
    )
    level: str = Field("", max_length=32)
    state: Literal["", "all", "open", "replied", "closed", "withdrawn"] = ""
    overdue: bool = False
    case_id: int | None = None
    mine: bool = False
    page_size: int = Field(20, ge=1, le=100)


class RaiseIn(StrictInput):
    case_id: int
    instruction: str = TEXT
    matter: str = TEXT
    level: str = Field("general", max_length=32)
    target_user_id: int | None = None
    target_team_id: int | None = None
    target_agency_id: int | None = None
    assisting_team_ids: list[int] = Field(default_factory=list, max_length=50)
    assisting_agency_ids: list[int] = Field(default_factory=list, max_length=50)


class ReplyIn(StrictInput):
    text: str = TEXT


class CloseIn(StrictInput):
    review: str = TEXT


class WithdrawIn(StrictInput):
    reason: str = TEXT


class FiguresParams(Input):
    since: QueryAwareDatetime | None = None
    until: QueryAwareDatetime | None = None


class FiguresOut(Schema):
    key: str
    kind: str
    label: str
    received: int
    replied: int
    replied_on_time: int
    on_time_rate: float | None = None
    overdue: int


# --------------------------------------------------------------------------- presenting
def order_body(order: SupervisionOrder, *, now: dt.datetime) -> dict[str, Any]:
    level = order.level
    return {
        "id": order.pk,
        "number": order.number,
        "case": {"id": order.case_id, "number": order.case.number, "title": order.case.title},
        "origin": order.origin,
        "origin_label": order.get_origin_display(),
        "level": {
            "code": level.code,
            "name": level.name,
            "rank": level.rank,
            "reply_working_days": level.reply_working_days,
            "colour": level.colour,
        },
        "matter": order.matter,
        "instruction": order.instruction,
        "target": {
            "kind": order.target_kind,
            "kind_label": order.get_target_kind_display(),
            "user": ref(order.target_user),
            "team": ref(order.target_team),
            "agency": ref(order.target_agency),
            "label": str(order.target or order.get_target_kind_display()),
        },
        "assisting_teams": [ref(team) for team in order.assisting_teams.all()],
        "assisting_agencies": [ref(agency) for agency in order.assisting_agencies.all()],
        "state": order.state,
        "state_label": order.get_state_display(),
        "issued_by": ref(order.issued_by),
        "issued_at": order.issued_at,
        "reply_due_at": order.reply_due_at,
        "reply_due_provisional": order.reply_due_provisional,
        "reply_overdue": order.state == OrderState.OPEN and order.reply_due_at < now,
        "escalation_count": order.escalation_count,
        "overdue_at_top": order.overdue_at_top,
        "reply_text": order.reply_text,
        "replied_by": ref(order.replied_by),
        "replied_at": order.replied_at,
        "replied_on_time": order.replied_on_time,
        "review_text": order.review_text,
        "withdraw_reason": order.withdraw_reason,
        "closed_by": ref(order.closed_by),
        "closed_at": order.closed_at,
    }


def _detail_json(user: Any, order_id: int) -> dict[str, Any]:
    order = selectors.order_get_for_user(user=user, pk=order_id)
    return OrderOut.model_validate(order_body(order, now=clock.now())).model_dump(mode="json")


# --------------------------------------------------------------------------- endpoints
@router.get("/levels", response={200: list[LevelOut], **READ_ERRORS})
def level_list(request: HttpRequest) -> list[SupervisionLevel]:
    return list(SupervisionLevel.objects.order_by("rank"))


@router.get(
    "/orders",
    response={200: OrderPageOut, **READ_ERRORS},
    summary="Supervision orders the user sees, nearest reply deadline first",
    description="`mine=true`: only the open orders the user must reply to.",
)
def order_list(request: HttpRequest, filters: Query[OrderParams]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    now = clock.now()
    if filters.target and selectors.parse_target(filters.target) is None:
        raise DomainError(
            "invalid", _("Name the lead unit as kind:id, e.g. team:2."), field="target"
        )
    if filters.mine:
        orders = selectors.order_mine(user=user)
    else:
        orders = selectors.order_list(
            user=user,
            now=now,
            filters=selectors.OrderFilter(
                target=filters.target,
                level=filters.level,
                state=filters.state,
                overdue=filters.overdue,
                case_id=filters.case_id,
            ),
        )
    orders = orders.prefetch_related("assisting_teams", "assisting_agencies")
    return paginate(orders, filters, lambda order: order_body(order, now=now))


@router.get("/orders/{int:order_id}", response={200: OrderOut, **READ_ERRORS})
def order_read(request: HttpRequest, order_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    return order_body(selectors.order_get_for_user(user=user, pk=order_id), now=clock.now())


@router.write(
    "/orders",
    status=201,
    response={201: OrderOut},
    summary="Raise a supervision order (centre leaders)",
    description="Without a lead unit the order goes to whoever handles the case now.",
)
def order_raise(request: HttpRequest, payload: RaiseIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    order = services.supervision_raise(
        actor=user,
        case_id=payload.case_id,
        instruction=payload.instruction,
        matter=payload.matter,
        level=payload.level,
        target_user=payload.target_user_id,
        target_team=payload.target_team_id,
        target_agency=payload.target_agency_id,
        assisting_teams=payload.assisting_team_ids,
        assisting_agencies=payload.assisting_agency_ids,
    )
    return _detail_json(user, order.pk)


@router.write("/orders/{int:order_id}/reply", response={200: OrderOut})
def order_reply(request: HttpRequest, order_id: int, payload: ReplyIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    services.supervision_reply(actor=user, order_id=order_id, text=payload.text)
    return _detail_json(user, order_id)


@router.write("/orders/{int:order_id}/close", response={200: OrderOut})
def order_close(request: HttpRequest, order_id: int, payload: CloseIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    services.supervision_close(actor=user, order_id=order_id, review=payload.review)
    return _detail_json(user, order_id)


@router.write("/orders/{int:order_id}/withdraw", response={200: OrderOut})
def order_withdraw(request: HttpRequest, order_id: int, payload: WithdrawIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    services.supervision_withdraw(actor=user, order_id=order_id, reason=payload.reason)
    return _detail_json(user, order_id)


@router.get(
    "/figures",
    response={200: list[FiguresOut], **READ_ERRORS},
    summary="Per lead unit: received, replied, replied on time, on-time rate, overdue now",
    description=(
        "Over the orders the user sees issued in [since, until); withdrawn orders are not "
        "counted. On-time rate = replied on time ÷ received."
    ),
)
def order_figures(request: HttpRequest, period: Query[FiguresParams]) -> list[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    if period.since and period.until and period.until < period.since:
        raise DomainError(
            "invalid", _("The end of the period comes before its start."), field="until"
        )
    return [
        {**figures.__dict__, "on_time_rate": figures.on_time_rate}
        for figures in selectors.order_figures(user=user, since=period.since, until=period.until)
    ]
