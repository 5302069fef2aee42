"""/keypersons: the key-person register, scoped as its pages are (need to know: a record the
caller may not see is a 404 with an audit row; every read of a record or list is audited).
Identifiers come masked; particulars, plan and visits only with the record."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Schema
from pydantic import Field

from fengqiao.accounts import jurisdiction
from fengqiao.api.routing import READ_ERRORS, PageParams, Router, page_of, paginate
from fengqiao.api.schemas import Input, Ref, StrictInput, ref
from fengqiao.core import clock
from fengqiao.core.identifiers import mask_id_number, mask_phone
from fengqiao.keypersons import selectors, services
from fengqiao.keypersons.models import Category, KeyPerson, Level, Risk, VisitKind, VisitMethod

router = Router(tags=["key persons"])


class LevelOut(Schema):
    code: str
    name: str
    colour: str


class KeyPersonOut(Schema):
    id: int
    person: Ref
    id_number: str = Field(description="Masked.")
    area: Ref
    level: LevelOut
    categories: list[str]
    last_visit_on: dt.date | None
    next_visit_due: dt.date | None
    overdue: bool


class VisitOut(Schema):
    id: int
    kind: str
    method: str
    occurred_on: dt.date
    visitor: Ref
    findings: str
    risk: str
    mental_risk: int | None


class ChangeOut(Schema):
    id: int
    from_level: str | None
    to_level: str
    reason: str
    status: str
    requested_at: dt.datetime


class KeyPersonDetailOut(KeyPersonOut):
    phone: str = Field(description="Masked.")
    particulars: dict[str, dict[str, Any]]
    mental_risk: int | None
    staff: list[dict[str, Any]]
    changes: list[ChangeOut]
    visits: list[VisitOut]


KeyPersonPageOut = page_of(KeyPersonOut, "KeyPersonPage")


class ListParams(PageParams):
    scope: Literal["mine", "all"] | None = None
    level: str | None = Field(None, description="A colour level's code.")
    category: str | None = Field(None, description="A category's code.")
    due: Literal["overdue", "week"] | None = None


class CategoryIn(Input):
    code: str
    particulars: dict[str, Any] = Field(default_factory=dict)


class RegisterIn(StrictInput):
    person_id: int
    level: str = Field(description="A colour level's code.")
    categories: list[CategoryIn] = Field(min_length=1, max_length=10)
    reason: str = Field(max_length=500)
    notes: str = Field("", max_length=2000)


class VisitIn(StrictInput):
    kind: VisitKind
    method: VisitMethod
    occurred_on: dt.date
    findings: str = Field(max_length=4000)
    risk: Risk
    mental_risk: int | None = Field(None, ge=0, le=5)
    companions: str = Field("", max_length=100)
    log_entry_id: int | None = Field(
        None, description="One of the caller's own daily-log entries of the last two weeks."
    )


class LevelIn(StrictInput):
    level: str = Field(description="A colour level's code.")
    reason: str = Field(max_length=500)


class RemoveIn(StrictInput):
    reason: str = Field(max_length=500)


class GridScreeningOut(Schema):
    grid: Ref
    residents: int
    reviewed: int
    missed: int
    found: int
    registered: str = Field(description='Key persons on the register; "<5" below five.')


class DecideIn(StrictInput):
    approve: bool
    note: str = Field("", max_length=200)


def _body(record: KeyPerson, today: dt.date) -> dict[str, Any]:
    return {
        "id": record.pk,
        "person": ref(record.person),
        "id_number": mask_id_number(record.person.id_number or ""),
        "area": ref(record.area),
        "level": {
            "code": record.level.code,
            "name": record.level.name,
            "colour": record.level.colour,
        },
        "categories": [m.category.name for m in record.memberships.all()],
        "last_visit_on": record.last_visit_on,
        "next_visit_due": record.next_visit_due,
        "overdue": bool(record.next_visit_due and record.next_visit_due < today),
    }


def _detail(user: Any, pk: Any) -> dict[str, Any]:
    record = selectors.key_person_get(user=user, pk=pk)
    services.key_person_viewed(actor=user, key_person=record, what="api")
    body = _body(record, clock.today())
    body.update(
        phone=mask_phone(record.person.phone or ""),
        particulars={
            m.category.code: dict(selectors.particulars_shown(m)) for m in record.memberships.all()
        },
        mental_risk=record.mental_risk,
        staff=[
            {"user": ref(r.user), "duty": r.duty}
            for r in record.responsibles.select_related("user")
        ],
        changes=[
            {
                "id": c.pk,
                "from_level": c.from_level.code if c.from_level else None,
                "to_level": c.to_level.code,
                "reason": c.reason,
                "status": c.status,
                "requested_at": c.requested_at,
            }
            for c in record.changes.select_related("from_level", "to_level")
        ],
        visits=[
            {
                "id": v.pk,
                "kind": v.kind,
                "method": v.method,
                "occurred_on": v.occurred_on,
                "visitor": ref(v.visitor),
                "findings": v.findings,
                "risk": v.risk,
                "mental_risk": v.mental_risk,
            }
            for v in record.visits.select_related("visitor")[:100]
        ],
    )
    return body


def _level_id(code: str) -> int | None:
    return Level.objects.filter(code=code).values_list("pk", flat=True).first()


@router.get(
    "",
    response={200: KeyPersonPageOut, **READ_ERRORS},
    summary="Key persons the caller may see: the next visit due first, overdue first",
)
def key_person_list(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    today = clock.today()
    scope, rows = selectors.key_person_list(
        user=user,
        today=today,
        scope=params.scope or "",
        level=Level.objects.filter(code=params.level).first() if params.level else None,
        category=Category.objects.filter(code=params.category).first() if params.category else None,
        due=params.due or "",
    )
    page = paginate(rows, params, lambda record: _body(record, today))
    services.key_persons_listed(
        actor=user, count=page["count"], filters={"scope": scope, "via": "api"}
    )
    return page


@router.get("/{int:key_person_id}", response={200: KeyPersonDetailOut, **READ_ERRORS})
def key_person_read(request: HttpRequest, key_person_id: int) -> dict[str, Any]:
    return _detail(request.auth, key_person_id)  # type: ignore[attr-defined]


@router.write(
    "",
    status=201,
    response={201: KeyPersonDetailOut},
    summary="Put a resident of one's area on the register",
    description="Every problem is answered at once (400); a resident already on it: 400.",
)
def key_person_register(request: HttpRequest, payload: RegisterIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    categories = {c.code: c.pk for c in Category.objects.filter(is_active=True)}
    record = services.key_person_register(
        actor=user,
        person_id=payload.person_id,
        level_id=_level_id(payload.level),
        categories=[(categories.get(item.code), item.particulars) for item in payload.categories],
        reason=payload.reason,
        notes=payload.notes,
    )
    return _json(KeyPersonDetailOut, _detail(user, record.pk))


@router.write(
    "/{int:key_person_id}/visits",
    status=201,
    response={201: KeyPersonDetailOut},
    summary="Record a visit or talk (responsible staff, leaders)",
)
def visit_record(request: HttpRequest, key_person_id: int, payload: VisitIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    services.visit_record(
        actor=user,
        key_person_id=key_person_id,
        kind=payload.kind.value,
        method=payload.method.value,
        occurred_on=payload.occurred_on,
        findings=payload.findings,
        risk=payload.risk.value,
        mental_risk=payload.mental_risk,
        companions=payload.companions,
        log_entry=payload.log_entry_id,
    )
    return _json(KeyPersonDetailOut, _detail(user, key_person_id))


@router.write(
    "/{int:key_person_id}/level",
    status=201,
    response={201: ChangeOut},
    summary="Change the colour level with a reason: raising at once, lowering for a leader",
)
def level_change(request: HttpRequest, key_person_id: int, payload: LevelIn) -> dict[str, Any]:
    change = services.level_change_request(
        actor=request.auth,  # type: ignore[attr-defined]
        key_person_id=key_person_id,
        level_id=_level_id(payload.level),
        reason=payload.reason,
    )
    return _change(change)


@router.write(
    "/changes/{int:change_id}/decision",
    status=201,
    response={201: ChangeOut},
    summary="A leader approves or refuses lowering a level",
)
def level_decide(request: HttpRequest, change_id: int, payload: DecideIn) -> dict[str, Any]:
    change = services.level_change_decide(
        actor=request.auth,  # type: ignore[attr-defined]
        change_id=change_id,
        approve=payload.approve,
        note=payload.note,
    )
    return _change(change)


def _json(schema: type[Schema], body: dict[str, Any]) -> dict[str, Any]:
    """A write's answer as JSON (it is kept for the Idempotency-Key's replays)."""
    return schema.model_validate(body).model_dump(mode="json")


@router.get(
    "/screening",
    response={200: list[GridScreeningOut], **READ_ERRORS},
    summary="Comprehensive screening this year, per grid of the caller's area",
)
def screening(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    if not selectors.register_allowed(user):
        jurisdiction.deny(user, what="keyperson.screening")
    return [
        {
            "grid": ref(row.grid),
            "residents": row.residents,
            "reviewed": row.reviewed,
            "missed": row.missed,
            "found": row.found,
            "registered": row.registered_shown,
        }
        for row in selectors.screening_figures(user=user, year=clock.today().year)
    ]


@router.write(
    "/{int:key_person_id}/removal",
    status=201,
    response={201: KeyPersonDetailOut},
    summary="A centre leader takes a person off the register, with the reason",
)
def key_person_remove(
    request: HttpRequest, key_person_id: int, payload: RemoveIn
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    services.key_person_remove(actor=user, key_person_id=key_person_id, reason=payload.reason)
    return _json(KeyPersonDetailOut, _detail(user, key_person_id))


def _change(change: Any) -> dict[str, Any]:
    return _json(
        ChangeOut,
        {
            "id": change.pk,
            "from_level": change.from_level.code if change.from_level else None,
            "to_level": change.to_level.code,
            "reason": change.reason,
            "status": change.status,
            "requested_at": change.requested_at,
        },
    )
