"""Every change to the key-person register: registration, categories and their particulars,
level changes (their table in `workflow`), responsible staff, the plan, visits, the
comprehensive screening's reviews, an incident's review, and the overdue-visit sweep.

Each writer checks need to know first (a record the actor may not see is a 404 with an
audit row), reports every problem of its input at once, and writes an audit row; nothing
here leaves a clear ID number or phone in a detail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.models import RoleGrant, User
from fengqiao.accounts.roles import Role
from fengqiao.areas.models import Area
from fengqiao.audit.services import audit_record
from fengqiao.core import clock
from fengqiao.core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotAllowed,
    Problems,
    WrongState,
    audits_refusals,
)
from fengqiao.core.lifecycle import cached
from fengqiao.keypersons import selectors, workflow
from fengqiao.keypersons.models import (
    Category,
    ChangeStatus,
    Duty,
    KeyPerson,
    Level,
    LevelChange,
    Membership,
    ParticularKind,
    PlanTask,
    Responsible,
    Review,
    Risk,
    Status,
    Visit,
    VisitKind,
    VisitMethod,
)
from fengqiao.people.selectors import person_list_for_user

DEFAULT_LEVELS = (
    # code, name, colour, rank, every (days), within (days) after an incident
    ("red", "红色", "red", 4, 7, 1),
    ("orange", "橙色", "orange", 3, 14, None),
    ("yellow", "黄色", "yellow", 2, 30, None),
    ("green", "绿色", "green", 1, 90, None),
)
_DATE = ParticularKind.DATE
DEFAULT_CATEGORIES = (
    # code, name, linked agencies, severe mental disorder, particulars
    (
        "released",
        "刑满释放人员",
        ["police", "judicial"],
        False,
        [
            {"key": "release_date", "label": "释放日期", "kind": _DATE, "required": True},
            {
                "key": "resettlement_ends",
                "label": "安置帮教期满",
                "kind": _DATE,
                "years_after": ["release_date", 5],
            },
            {"key": "offence", "label": "原罪名", "kind": "text"},
        ],
    ),
    (
        "correction",
        "社区矫正对象",
        ["judicial", "police"],
        False,
        [
            {"key": "starts_on", "label": "矫正起始日", "kind": _DATE, "required": True},
            {"key": "ends_on", "label": "矫正期满日", "kind": _DATE, "required": True},
            {"key": "judicial_office", "label": "监管司法所", "kind": "text", "required": True},
        ],
    ),
    (
        "mental",
        "严重精神障碍患者",
        ["health"],
        True,
        [
            {"key": "diagnosis", "label": "诊断", "kind": "text"},
            {"key": "guardian", "label": "监护人", "kind": "text", "required": True},
            {"key": "guardian_phone", "label": "监护人电话", "kind": "text"},
        ],
    ),
    (
        "drugs",
        "吸毒人员",
        ["police"],
        False,
        [
            {
                "key": "status",
                "label": "管控状态",
                "kind": "choice",
                "choices": ["社区戒毒", "社区康复", "戒断三年未复吸", "其他"],
            },
            {"key": "since", "label": "起始日期", "kind": _DATE},
        ],
    ),
    ("petition", "重点信访人员", ["petition", "police"], False, []),
    ("youth", "重点青少年", ["police", "civil_affairs"], False, []),
    ("hiv", "艾滋病患者", ["health"], False, []),
    ("idle", "社会闲散人员", ["police"], False, []),
)

VISIT_EVENT = "keyperson.visit"


def defaults_install() -> None:
    """The default colour levels, categories and rule, where missing (as the migrations
    seed them)."""
    for code, name, colour, rank, every, after in DEFAULT_LEVELS:
        Level.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "colour": colour,
                "rank": rank,
                "visit_every_days": every,
                "after_incident_days": after,
            },
        )
    for order, (code, name, kinds, mental, particulars) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "agency_kinds": kinds,
                "mental_health": mental,
                "particulars": particulars,
                "order": order,
            },
        )
    selectors.policy()


def _audit(action: str, actor: Any, key_person: KeyPerson, **details: Any) -> None:
    audit_record(
        action=f"keyperson.{action}",
        actor=actor,
        target=key_person,
        target_label=f"#{key_person.pk}",
        area=key_person.area,
        details=details,
    )


def _refusal_audit(action: str, actor: Any, key_person: Any = None) -> dict[str, Any]:
    """The audit row of a refusal (written even though the step is rolled back)."""
    audit: dict[str, Any] = {"action": f"keyperson.{action}", "actor": actor}
    if key_person is not None:
        audit.update(target_type="keypersons.keyperson", target_id=str(key_person.pk))
    return audit


def _refused(actor: Any, action: str, message: str, key_person: Any = None) -> NotAllowed:
    return NotAllowed(message, audit=_refusal_audit(action, actor, key_person))


def _managed(actor: Any, pk: Any, action: str) -> KeyPerson:
    """The record, locked, that the actor may see (else 404) and manage (else 403)."""
    key_person = selectors.key_person_get(user=actor, pk=pk)
    key_person = (
        KeyPerson.objects.select_for_update().select_related("level", "area").get(pk=key_person.pk)
    )
    if not selectors.may_manage(actor, key_person):
        raise _refused(
            actor,
            action,
            _("Only the person's responsible staff and the centre's leaders may do this."),
            key_person,
        )
    return key_person


# --------------------------------------------------------------------------- particulars
def clean_particulars(
    category: Category, raw: Mapping[str, Any] | None, problems: Problems, *, prefix: str = ""
) -> dict[str, Any]:
    """A category's particulars checked against its schema: each of its kind, the required
    ones there, the worked-out dates filled in; every problem reported at once."""
    raw = dict(raw or {})
    clean: dict[str, Any] = {}
    known = {spec["key"] for spec in category.particulars or []}
    for key in raw:
        if key not in known:
            problems.add(
                "particular_unknown",
                _("%(category)s has no particular “%(key)s”.")
                % {"category": category.name, "key": str(key)[:40]},
                field=f"{prefix}{key}",
            )
    for spec in category.particulars or []:
        key, label, kind = spec["key"], spec.get("label") or spec["key"], spec.get("kind", "text")
        if spec.get("years_after"):
            continue
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.get("required"):
                problems.add(
                    "particular_required",
                    _("Give the %(label)s (%(category)s).")
                    % {"label": label, "category": category.name},
                    field=f"{prefix}{key}",
                )
            continue
        try:
            clean[key] = _particular(kind, value, spec)
        except ValueError:
            problems.add(
                "particular_invalid",
                _particular_message(kind, label, spec),
                field=f"{prefix}{key}",
            )
    for spec in category.particulars or []:
        source = spec.get("years_after")
        if source and clean.get(source[0]):
            start = dt.date.fromisoformat(clean[source[0]])
            try:
                clean[spec["key"]] = start.replace(year=start.year + int(source[1])).isoformat()
            except ValueError:  # 29 February
                clean[spec["key"]] = start.replace(
                    day=28, year=start.year + int(source[1])
                ).isoformat()
    return clean


def _particular(kind: str, value: Any, spec: Mapping[str, Any]) -> Any:
    if kind == ParticularKind.DATE:
        if isinstance(value, dt.date):
            return value.isoformat()
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    if kind == ParticularKind.NUMBER:
        if isinstance(value, bool):
            raise ValueError
        number = int(str(value).strip())
        if ("min" in spec and number < spec["min"]) or ("max" in spec and number > spec["max"]):
            raise ValueError
        return number
    if kind == ParticularKind.CHOICE:
        if str(value) not in (spec.get("choices") or []):
            raise ValueError
        return str(value)
    text = str(value).strip()
    if len(text) > 200:
        raise ValueError
    return text


def _particular_message(kind: str, label: str, spec: Mapping[str, Any]) -> str:
    if kind == ParticularKind.DATE:
        return _("%(label)s must be a date (YYYY-MM-DD).") % {"label": label}
    if kind == ParticularKind.NUMBER:
        return _("%(label)s must be a whole number.") % {"label": label}
    if kind == ParticularKind.CHOICE:
        return _("%(label)s must be one of: %(choices)s.") % {
            "label": label,
            "choices": "、".join(spec.get("choices") or []),
        }
    return _("%(label)s is at most 200 characters.") % {"label": label}


# --------------------------------------------------------------------------- registration
def _default_staff(person_area: Area) -> list[tuple[int, str]]:
    """The grid workers of the person's grid and the cadres of their village."""
    staff: list[tuple[int, str]] = []
    grid = person_area
    while grid is not None and grid.level > 3:
        grid = grid.parent
    village = grid.parent if grid is not None and grid.level == 3 else None
    if grid is not None and grid.level == 3:
        staff += [
            (pk, Duty.GRID_WORKER)
            for pk in RoleGrant.objects.filter(
                role=Role.GRID_WORKER, user__home_area=grid, user__is_active=True
            ).values_list("user_id", flat=True)
        ]
    if village is not None:
        staff += [
            (pk, Duty.VILLAGE_CADRE)
            for pk in RoleGrant.objects.filter(
                role=Role.VILLAGE_CADRE, user__home_area=village, user__is_active=True
            ).values_list("user_id", flat=True)
        ]
    return staff


@audits_refusals
@transaction.atomic
def key_person_register(
    *,
    actor: Any,
    person_id: Any,
    level_id: Any,
    categories: Sequence[tuple[Any, Mapping[str, Any] | None]],
    reason: str,
    notes: str = "",
    now: dt.datetime | None = None,
) -> KeyPerson:
    """Put a resident of the actor's area on the register with their categories (each with
    its particulars) and a colour level; their grid worker and village cadre (and the
    actor, when one of those) become their responsible staff."""
    now = now or clock.now()
    if not selectors.register_allowed(actor):
        raise _refused(
            actor,
            "register",
            _("Grid workers, village cadres and the centre's leaders register key persons."),
        )
    problems = Problems()
    person = None
    try:
        person = person_list_for_user(user=actor).get(pk=int(person_id))
    except (ValueError, TypeError, Exception):
        problems.add("person", _("Choose a resident of your area."), field="person")
    level = Level.objects.filter(pk=_int(level_id), is_active=True).first()
    if level is None:
        problems.add("level", _("Choose a colour level."), field="level")
    if not reason or not reason.strip():
        problems.add("reason", _("Say why the person is put on the register."), field="reason")
    chosen: list[tuple[Category, dict[str, Any]]] = []
    seen: set[int] = set()
    for category_id, raw in categories:
        category = Category.objects.filter(pk=_int(category_id), is_active=True).first()
        if category is None:
            problems.add("category", _("Choose a category of the list."), field="categories")
            continue
        if category.pk in seen:
            continue
        seen.add(category.pk)
        chosen.append(
            (category, clean_particulars(category, raw, problems, prefix=f"{category.code}."))
        )
    if not chosen and not problems.has("categories"):
        problems.add("categories", _("Choose at least one category."), field="categories")
    if (
        person is not None
        and KeyPerson.objects.filter(person=person, status=Status.ACTIVE).exists()
    ):
        problems.add(
            "already_registered",
            _("%(name)s is already on the register.") % {"name": person.name},
            field="person",
        )
    problems.raise_if_any()
    assert person is not None and level is not None
    area = person.area
    today = timezone.localtime(now).date()
    mental = any(category.mental_health for category, _values in chosen)
    removed = KeyPerson.objects.filter(person=person, status=Status.REMOVED).first()
    if removed is not None:
        # Put back on the register: the same record, its history kept.
        return _reinstate(actor, removed, level, chosen, reason, notes, now=now, today=today)
    try:
        with transaction.atomic():
            key_person = KeyPerson.objects.create(
                person=person,
                area=area,
                area_path=area.path,
                level=level,
                notes=notes.strip(),
                registered_at=now,
                registered_by=actor,
                next_visit_due=selectors.next_visit_due(
                    level=level,
                    last_visit_on=None,
                    registered_on=today,
                    mental=mental,
                    mental_risk=None,
                ),
            )
    except IntegrityError as error:
        raise Conflict(
            "already_registered",
            _("%(name)s is already on the register.") % {"name": person.name},
            field="person",
        ) from error
    Membership.objects.bulk_create(
        [
            Membership(
                key_person=key_person,
                category=category,
                particulars=json.dumps(values, ensure_ascii=False),
                since=today,
            )
            for category, values in chosen
        ]
    )
    LevelChange.objects.create(
        key_person=key_person,
        from_level=None,
        to_level=level,
        reason=reason.strip(),
        status=ChangeStatus.APPLIED,
        requested_by=actor,
        requested_at=now,
        decided_by=actor,
        decided_at=now,
    )
    staff = dict(_default_staff(area))
    roles = jurisdiction.roles_of(actor)
    if actor.pk not in staff and roles & {Role.GRID_WORKER, Role.VILLAGE_CADRE}:
        staff[actor.pk] = Duty.GRID_WORKER if Role.GRID_WORKER in roles else Duty.VILLAGE_CADRE
    Responsible.objects.bulk_create(
        [
            Responsible(key_person=key_person, user_id=pk, duty=duty, since=today)
            for pk, duty in staff.items()
        ]
    )
    _audit(
        "register",
        actor,
        key_person,
        level=level.code,
        categories=[category.code for category, _values in chosen],
    )
    return key_person


def _reinstate(
    actor: Any,
    key_person: KeyPerson,
    level: Level,
    chosen: list[tuple[Category, dict[str, Any]]],
    reason: str,
    notes: str,
    *,
    now: dt.datetime,
    today: dt.date,
) -> KeyPerson:
    previous = key_person.level
    key_person.status = Status.ACTIVE
    key_person.level = level
    key_person.removed_at = None
    if notes.strip():
        key_person.notes = notes.strip()
    key_person.memberships.all().delete()
    Membership.objects.bulk_create(
        [
            Membership(
                key_person=key_person,
                category=category,
                particulars=json.dumps(values, ensure_ascii=False),
                since=today,
            )
            for category, values in chosen
        ]
    )
    LevelChange.objects.create(
        key_person=key_person,
        from_level=previous,
        to_level=level,
        reason=reason.strip(),
        status=ChangeStatus.APPLIED,
        requested_by=actor,
        requested_at=now,
        decided_by=actor,
        decided_at=now,
    )
    key_person.last_visit_on = None
    _reschedule(key_person, now=now)
    key_person.next_visit_due = max(key_person.next_visit_due or today, today)
    key_person.version += 1
    key_person.save()
    if not key_person.responsibles.filter(user=actor).exists() and jurisdiction.roles_of(actor) & {
        Role.GRID_WORKER,
        Role.VILLAGE_CADRE,
    }:
        Responsible.objects.create(
            key_person=key_person,
            user=actor,
            duty=Duty.GRID_WORKER
            if Role.GRID_WORKER in jurisdiction.roles_of(actor)
            else Duty.VILLAGE_CADRE,
            since=today,
        )
    _audit("reinstate", actor, key_person, level=level.code)
    return key_person


@audits_refusals
@transaction.atomic
def key_person_remove(
    *, actor: Any, key_person_id: Any, reason: str, now: dt.datetime | None = None
) -> KeyPerson:
    """A centre leader takes a person off the register (撤管), with the reason: no more
    visits are due; the record and its history stay, seen as before."""
    now = now or clock.now()
    key_person = selectors.key_person_get(user=actor, pk=key_person_id)
    key_person = KeyPerson.objects.select_for_update().get(pk=key_person.pk)
    if Role.LEADER not in jurisdiction.roles_of(actor):
        raise _refused(
            actor, "remove", _("Only a centre leader takes a person off the register."), key_person
        )
    if key_person.status != Status.ACTIVE:
        raise WrongState(
            _("This person is not on the register."),
            audit=_refusal_audit("remove", actor, key_person),
        )
    if not reason or not reason.strip():
        raise InvalidInput(
            [DomainError("reason", _("Say why the person is taken off."), field="reason")]
        )
    key_person.status = Status.REMOVED
    key_person.removed_at = now
    key_person.removed_reason = reason.strip()
    key_person.next_visit_due = None
    key_person.version += 1
    key_person.save(
        update_fields=["status", "removed_at", "removed_reason", "next_visit_due", "version"]
    )
    _audit("remove", actor, key_person)
    return key_person


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- level
@audits_refusals
@transaction.atomic
def level_change_request(
    *,
    actor: Any,
    key_person_id: Any,
    level_id: Any,
    reason: str,
    case: Any = None,
    now: dt.datetime | None = None,
) -> LevelChange:
    """Change a person's colour level, with a reason: a higher level takes effect at once;
    a lower one waits for a leader (a leader's own lowering is approved as asked)."""
    now = now or clock.now()
    key_person = selectors.key_person_get(user=actor, pk=key_person_id)
    key_person = KeyPerson.objects.select_for_update().select_related("level").get(pk=key_person.pk)
    problems = Problems()
    level = Level.objects.filter(pk=_int(level_id), is_active=True).first()
    if level is None:
        problems.add("level", _("Choose a colour level."), field="level")
    elif level.pk == key_person.level_id:
        problems.add(
            "level_same",
            _("The person is already at %(level)s.") % {"level": level.name},
            field="level",
        )
    if not reason or not reason.strip():
        problems.add("reason", _("Give the reason for the change."), field="reason")
    problems.raise_if_any()
    assert level is not None
    action = "raise" if level.rank > key_person.level.rank else "lower"
    moving = workflow.LIFECYCLE.get(action)
    refusal = workflow.LIFECYCLE.refusal(
        moving,
        state=workflow.NEW,
        roles=jurisdiction.roles_of(actor),
        related=cached({workflow.MANAGER: lambda: selectors.may_manage(actor, key_person)}),
        audit=_refusal_audit(f"level_{action}", actor, key_person),
    )
    if refusal is not None:
        raise refusal
    change = LevelChange.objects.create(
        key_person=key_person,
        from_level=key_person.level,
        to_level=level,
        reason=reason.strip(),
        status=next(iter(moving.targets)),
        case=case,
        requested_by=actor,
        requested_at=now,
    )
    if action == "lower" and Role.LEADER in jurisdiction.roles_of(actor):
        _decide(actor, change, approve=True, note="", now=now, key_person=key_person)
    elif change.status == ChangeStatus.APPLIED:
        change.decided_by, change.decided_at = actor, now
        change.save(update_fields=["decided_by", "decided_at"])
        _apply_level(key_person, level, now=now)
    _audit(
        f"level_{action}",
        actor,
        key_person,
        change=change.pk,
        to=level.code,
        status=change.status,
    )
    return change


@audits_refusals
@transaction.atomic
def level_change_decide(
    *, actor: Any, change_id: Any, approve: bool, note: str = "", now: dt.datetime | None = None
) -> LevelChange:
    """A leader approves or refuses lowering a level."""
    now = now or clock.now()
    change = LevelChange.objects.filter(pk=_int(change_id)).first()
    key_person = selectors.key_person_get(
        user=actor, pk=change.key_person_id if change is not None else None
    )
    change = LevelChange.objects.select_for_update().get(pk=change.pk)
    key_person = KeyPerson.objects.select_for_update().select_related("level").get(pk=key_person.pk)
    _decide(actor, change, approve=approve, note=note, now=now, key_person=key_person)
    _audit("level_approve" if approve else "level_refuse", actor, key_person, change=change.pk)
    return change


def _decide(
    actor: Any,
    change: LevelChange,
    *,
    approve: bool,
    note: str,
    now: dt.datetime,
    key_person: KeyPerson,
) -> None:
    moving = workflow.LIFECYCLE.get("approve" if approve else "refuse")
    refusal = workflow.LIFECYCLE.refusal(
        moving,
        state=change.status,
        roles=jurisdiction.roles_of(actor),
        related=cached({}),
        audit=_refusal_audit(f"level_{moving.action}", actor, key_person),
    )
    if refusal is not None:
        raise refusal
    change.status = next(iter(moving.targets))
    change.decided_by, change.decided_at = actor, now
    change.decision_note = (note or "").strip()[:200]
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        _apply_level(key_person, change.to_level, now=now)


def _apply_level(key_person: KeyPerson, level: Level, *, now: dt.datetime) -> None:
    key_person.level = level
    _reschedule(key_person, now=now)
    key_person.version += 1
    key_person.save(update_fields=["level", "next_visit_due", "version"])


def _reschedule(key_person: KeyPerson, *, now: dt.datetime) -> None:
    key_person.next_visit_due = selectors.next_visit_due(
        level=key_person.level,
        last_visit_on=key_person.last_visit_on,
        registered_on=timezone.localtime(key_person.registered_at).date(),
        mental=key_person.memberships.filter(category__mental_health=True).exists(),
        mental_risk=key_person.mental_risk,
    )


# --------------------------------------------------------------------------- staff and plan
@audits_refusals
@transaction.atomic
def responsible_add(
    *, actor: Any, key_person_id: Any, user_id: Any, duty: str, now: dt.datetime | None = None
) -> Responsible:
    now = now or clock.now()
    key_person = _managed(actor, key_person_id, "staff_add")
    problems = Problems()
    user = User.objects.filter(pk=_int(user_id), is_active=True).first()
    if user is None or jurisdiction.is_administrator(user):
        problems.add("user", _("Choose a member of staff."), field="user")
    if duty not in Duty.values:
        problems.add("duty", _("Choose the duty."), field="duty")
    problems.raise_if_any()
    assert user is not None
    responsible, created = Responsible.objects.get_or_create(
        key_person=key_person,
        user=user,
        defaults={"duty": duty, "since": timezone.localtime(now).date()},
    )
    if not created:
        raise Conflict(
            "already_responsible",
            _("%(name)s is already among the responsible staff.") % {"name": str(user)},
            field="user",
        )
    _audit("staff_add", actor, key_person, user=user.pk, duty=duty)
    return responsible


@audits_refusals
@transaction.atomic
def responsible_remove(*, actor: Any, key_person_id: Any, responsible_id: Any) -> None:
    key_person = _managed(actor, key_person_id, "staff_remove")
    removed, _count = Responsible.objects.filter(
        pk=_int(responsible_id), key_person=key_person
    ).delete()
    if removed:
        _audit("staff_remove", actor, key_person, responsible=_int(responsible_id))


@audits_refusals
@transaction.atomic
def plan_task_add(
    *,
    actor: Any,
    key_person_id: Any,
    text: str,
    due_on: dt.date | None,
    assignee_id: Any = None,
    now: dt.datetime | None = None,
) -> PlanTask:
    now = now or clock.now()
    key_person = _managed(actor, key_person_id, "plan_add")
    problems = Problems()
    if not text or not text.strip():
        problems.add("text", _("Say what is to be done."), field="text")
    if due_on is None:
        problems.add("due_on", _("Give the date it is due."), field="due_on")
    assignee = None
    if assignee_id not in (None, ""):
        assignee = Responsible.objects.filter(
            key_person=key_person, user_id=_int(assignee_id)
        ).first()
        if assignee is None:
            problems.add("assignee", _("Choose one of the responsible staff."), field="assignee")
    problems.raise_if_any()
    task = PlanTask.objects.create(
        key_person=key_person,
        text=text.strip(),
        due_on=due_on,
        assignee_id=assignee.user_id if assignee else None,
        created_by=actor,
        created_at=now,
    )
    _audit("plan_add", actor, key_person, task=task.pk)
    return task


@audits_refusals
@transaction.atomic
def plan_task_done(
    *, actor: Any, key_person_id: Any, task_id: Any, note: str, now: dt.datetime | None = None
) -> PlanTask:
    now = now or clock.now()
    key_person = _managed(actor, key_person_id, "plan_done")
    task = PlanTask.objects.filter(pk=_int(task_id), key_person=key_person).first()
    problems = Problems()
    if task is None:
        problems.add("task", _("Choose a task of the plan."), field="task")
    if not note or not note.strip():
        problems.add("note", _("Say what was done."), field="note")
    problems.raise_if_any()
    assert task is not None
    task.done_on = timezone.localtime(now).date()
    task.done_note = note.strip()
    task.save(update_fields=["done_on", "done_note"])
    _audit("plan_done", actor, key_person, task=task.pk)
    return task


# --------------------------------------------------------------------------- visits
@audits_refusals
@transaction.atomic
def visit_record(
    *,
    actor: Any,
    key_person_id: Any,
    kind: str,
    method: str,
    occurred_on: dt.date | None,
    findings: str,
    risk: str,
    mental_risk: Any = None,
    companions: str = "",
    log_entry: Any = None,
    now: dt.datetime | None = None,
) -> Visit:
    """A visit or talk, by one of the responsible staff or a leader: it moves the next visit
    due (and, for a severe mental disorder, records the risk assessment every visit needs)."""
    now = now or clock.now()
    key_person = _managed(actor, key_person_id, "visit")
    today = timezone.localtime(now).date()
    mental = key_person.memberships.filter(category__mental_health=True).exists()
    problems = Problems()
    if kind not in VisitKind.values:
        problems.add("kind", _("Choose the kind of visit."), field="kind")
    if method not in VisitMethod.values:
        problems.add("method", _("Choose how the visit was made."), field="method")
    if occurred_on is None:
        problems.add("occurred_on", _("Give the date of the visit."), field="occurred_on")
    elif occurred_on > today:
        problems.add(
            "occurred_on_future",
            _("The visit's date %(date)s is in the future.") % {"date": occurred_on.isoformat()},
            field="occurred_on",
        )
    if not findings or not findings.strip():
        problems.add("findings", _("Say what was found."), field="findings")
    if risk not in Risk.values:
        problems.add("risk", _("Assess the risk."), field="risk")
    level = _int(mental_risk) if mental_risk not in (None, "") else None
    if mental_risk not in (None, "") and (level is None or not 0 <= level <= 5):
        problems.add(
            "mental_risk", _("The risk level is a whole number from 0 to 5."), field="mental_risk"
        )
    elif mental and level is None:
        problems.add(
            "mental_risk",
            _("Every visit to a person with a severe mental disorder assesses the risk (0–5)."),
            field="mental_risk",
        )
    entry = None
    if log_entry not in (None, ""):
        entry = (
            selectors.log_entries_for_visit(user=actor, key_person=key_person, today=today)
            .filter(pk=_int(log_entry))
            .first()
        )
        if entry is None:
            problems.add(
                "log_entry",
                _("Choose one of your daily-log entries of the last two weeks."),
                field="log_entry",
            )
    problems.raise_if_any()
    assert occurred_on is not None
    visit = Visit.objects.create(
        key_person=key_person,
        kind=kind,
        method=method,
        occurred_on=occurred_on,
        visitor=actor,
        companions=companions.strip()[:100],
        findings=findings.strip(),
        risk=risk,
        mental_risk=level if mental else None,
        log_entry=entry,
        recorded_at=now,
    )
    if mental and level is not None and level >= selectors.UNSTABLE_RISK:
        # Unstable: referred at once (the national norm), a task of the plan due today.
        PlanTask.objects.create(
            key_person=key_person,
            text=_(
                "Risk level %(level)d at the visit of %(date)s: refer to the mental-health "
                "service at once and follow up within two weeks."
            )
            % {"level": level, "date": occurred_on.isoformat()},
            due_on=today,
            assignee=actor,
            created_by=actor,
            created_at=now,
        )
    if key_person.last_visit_on is None or occurred_on >= key_person.last_visit_on:
        key_person.last_visit_on = occurred_on
        if mental:
            key_person.mental_risk = level
    _reschedule(key_person, now=now)
    key_person.version += 1
    key_person.save(update_fields=["last_visit_on", "mental_risk", "next_visit_due", "version"])
    _audit("visit", actor, key_person, visit=visit.pk, kind=kind)
    return visit


# --------------------------------------------------------------------------- screening
@audits_refusals
@transaction.atomic
def residents_review(
    *,
    actor: Any,
    person_ids: Iterable[Any],
    found_ids: Iterable[Any] = (),
    now: dt.datetime | None = None,
) -> int:
    """Comprehensive screening: the residents the actor went through today (of their area),
    and those found to need the register. Returns how many were recorded."""
    now = now or clock.now()
    if not selectors.register_allowed(actor):
        raise _refused(
            actor,
            "review",
            _("Grid workers, village cadres and the centre's leaders record the screening."),
        )
    today = timezone.localtime(now).date()
    found = {_int(pk) for pk in found_ids} - {None}
    # A resident found to need the register has been reviewed too.
    chosen = ({_int(pk) for pk in person_ids} | found) - {None}
    people = list(person_list_for_user(user=actor).filter(pk__in=chosen).select_related("area"))
    written = 0
    for person in people:
        _review, _created = Review.objects.update_or_create(
            person=person,
            reviewed_on=today,
            defaults={
                "area": person.area,
                "area_path": person.area.path,
                "reviewed_by": actor,
                "found": person.pk in found,
            },
        )
        written += 1
    audit_record(
        action="keyperson.review",
        actor=actor,
        details={"residents": written, "found": sum(p.pk in found for p in people)},
    )
    return written


# --------------------------------------------------------------------------- views
def key_person_viewed(*, actor: Any, key_person: KeyPerson, what: str = "record") -> None:
    """Every view of a record, on the audit log."""
    _audit("view", actor, key_person, what=what)


def key_persons_listed(*, actor: Any, count: int, filters: Mapping[str, Any]) -> None:
    audit_record(
        action="keyperson.list",
        actor=actor,
        details={"count": count, **{k: str(v)[:40] for k, v in filters.items() if v}},
    )


# --------------------------------------------------------------------------- incidents
def incident_record(*, case: Any, person_ids: Sequence[int], now: dt.datetime) -> int:
    """A case names registered persons among its parties: each record asks for a level
    review, its visit is brought forward where the level says so, and the responsible
    staff are told. Returns how many records."""
    from fengqiao.notify.services import notify

    records = list(
        KeyPerson.objects.filter(person_id__in=person_ids, status=Status.ACTIVE).select_related(
            "level"
        )
    )
    today = timezone.localtime(now).date()
    for key_person in records:
        key_person.review_case = case
        fields = ["review_case"]
        days = key_person.level.after_incident_days
        if days is not None:
            soon = today + dt.timedelta(days=days)
            if key_person.next_visit_due is None or soon < key_person.next_visit_due:
                key_person.next_visit_due = soon
                fields.append("next_visit_due")
        key_person.save(update_fields=fields)
        staff = list(key_person.responsibles.values_list("user_id", flat=True))
        if staff:
            notify(
                recipients=staff,
                kind="system",
                title=_("A person you care for is a party to case %(number)s")
                % {"number": case.number},
                body=_("Review their colour level and visit them."),
                link=reverse("keyperson_detail", args=[key_person.pk]),
                dedupe_key=f"keyperson-incident:{key_person.pk}:{case.pk}",
                now=now,
            )
        audit_record(
            action="keyperson.incident",
            target=key_person,
            target_label=f"#{key_person.pk}",
            area=key_person.area_id and key_person.area,
            details={"case": case.pk},
        )
    return len(records)


# --------------------------------------------------------------------------- sweep
def visits_overdue_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Tell the responsible staff of each record whose visit is overdue, once per due day;
    after the rule's grace (working days), raise an alert, once per due day. Safe to run as
    often as the job runner likes."""
    from fengqiao.alerts.rules.base import Finding
    from fengqiao.alerts.services import raise_findings
    from fengqiao.notify.services import Message, notify_many
    from fengqiao.workcal.calendar import working_days_between
    from fengqiao.workcal.selectors import calendar_load

    now = now or clock.now()
    today = timezone.localtime(now).date()
    grace = selectors.policy().alert_grace_days
    calendar = calendar_load()
    records = list(
        KeyPerson.objects.filter(status=Status.ACTIVE, next_visit_due__lt=today)
        .select_related("person", "level")
        .order_by("next_visit_due", "pk")
    )
    staff: dict[int, list[int]] = {}
    for key_person_id, user_id in Responsible.objects.filter(
        key_person__in=[record.pk for record in records]
    ).values_list("key_person_id", "user_id"):
        staff.setdefault(key_person_id, []).append(user_id)
    messages = []
    findings = []
    for record in records:
        due = record.next_visit_due
        assert due is not None
        values = {"due": due.isoformat(), "level": record.level.name}
        if staff.get(record.pk):
            messages.append(
                Message(
                    recipients=staff[record.pk],
                    kind="system",
                    title=_("A visit is overdue"),
                    body=_("A person you care for (%(level)s) was due a visit on %(due)s.")
                    % values,
                    link=reverse("keyperson_detail", args=[record.pk]),
                    case=None,
                    dedupe_key=f"keyperson-overdue:{record.pk}:{due.isoformat()}",
                )
            )
        if working_days_between(calendar, due, today) > grace:
            findings.append(
                Finding(
                    condition_key=f"key_person_visit:{record.pk}:{due.isoformat()}",
                    severity="high" if record.level.rank >= 3 else "medium",
                    title=_("Key person %(name)s not visited since %(due)s")
                    % {"name": record.person.name, "due": due.isoformat()},
                    detail=_("Colour level %(level)s; the visit was due on %(due)s.") % values,
                    area_id=record.area_id,
                    person_id=record.person_id,
                )
            )
    told = notify_many(messages, now=now) if messages else []
    raised = raise_findings("key_person_visit", findings, now=now) if findings else []
    return {"overdue": len(records), "told": len(told), "alerts": len(raised)}
