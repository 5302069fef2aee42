"""Building cases for tests, through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.cases.models import Case, CaseCategory, State
from fengqiao.cases.services import PartyInput, case_act, case_create
from fengqiao.orgs.models import MediationKind, MediationMembership, MediationOrganization
from tests.factories import make_id_number

SHANGHAI = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def shanghai(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def png(name: str = "现场照片.png", size: int | None = None) -> SimpleUploadedFile:
    content = PNG if size is None else PNG + b"\x00" * (size - len(PNG))
    return SimpleUploadedFile(name, content, content_type="image/png")


def property_team(town: Any) -> MediationOrganization:
    team, _ = MediationOrganization.objects.get_or_create(
        name="物业纠纷调解队", defaults={"kind": MediationKind.TEAM, "area": town.town}
    )
    MediationMembership.objects.get_or_create(organization=team, user=town.user("mediator"))
    return team


def applicant(name: str = "田秀兰") -> PartyInput:
    return PartyInput(role="applicant", new_person={"name": name, "id_number": make_id_number()})


def new_case(actor: Any, area: Any, **overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "kind": "dispute",
        "grade": "general",
        "category": CaseCategory.objects.get(code="property"),
        "channel": "walk_in",
        "title": "杨柳树遮挡采光",
        "account": "楼栋周边杨树、柳树多年未修剪，枝叶遮挡窗户与阳台，家中采光严重不足。",
        "area": area,
        "parties": [applicant()],
    }
    fields.update(overrides)
    return case_create(actor=actor, **fields)


def act(actor: Any, case: Case, action: str, **inputs: Any) -> Case:
    case.refresh_from_db()
    return case_act(
        actor=actor, case_id=case.pk, action=action, expected_version=case.version, **inputs
    )


def inputs_for(action: str, *, town: Any, other_case: Case | None = None) -> dict[str, Any]:
    """Valid inputs for each action of the table."""
    return {
        "reject": {"reason": "不属于受理范围"},
        "merge": {"target_case": other_case.pk if other_case else None},
        "dispatch": {"handler": {"team": property_team(town).pk}},
        "reassign": {"handler": {"user": town.user("mediator").pk}, "reason": "调整承办"},
        "return": {"reason": "不属于本队职责"},
        "record_milestone": {"note": "已向当事人反馈"},
        "suspend": {"reason": "等待鉴定结果"},
        "request_extension": {"days": 2, "reason": "需现场勘查"},
        "deny_extension": {"reason": "时限足够"},
        "regrade": {"grade": "important", "reason": "涉及人数增加"},
        "escalate": {"reason": "村级无法化解"},
        "transfer": {"agency": town.court.pk, "reason": "需诉讼解决"},
        "resolve": {"outcome": "resolved", "note": "双方达成协议"},
        "reopen": {"reason": "回访发现未履行"},
        "close_early": {"reason": "当事人已搬离，无法回访"},
        "attach": {"files": [png()]},
    }.get(action, {})


# How to bring a fresh case into each state (actor role, action).
PATHS: dict[str, list[tuple[str, str]]] = {
    State.REPORTED: [],
    State.ACCEPTED: [("intake_clerk", "accept")],
    State.REJECTED: [("intake_clerk", "reject")],
    State.MERGED: [("intake_clerk", "merge")],
    State.DISPATCHED: [("intake_clerk", "accept"), ("dispatcher", "dispatch")],
    State.ACKNOWLEDGED: [
        ("intake_clerk", "accept"),
        ("dispatcher", "dispatch"),
        ("mediator", "acknowledge"),
    ],
    State.IN_PROGRESS: [
        ("intake_clerk", "accept"),
        ("dispatcher", "dispatch"),
        ("mediator", "acknowledge"),
        ("mediator", "start"),
    ],
    State.SUSPENDED: [
        ("intake_clerk", "accept"),
        ("dispatcher", "dispatch"),
        ("mediator", "acknowledge"),
        ("mediator", "start"),
        ("mediator", "suspend"),
    ],
    State.TRANSFERRED: [("intake_clerk", "accept"), ("dispatcher", "transfer")],
    State.ESCALATED: [("intake_clerk", "accept"), ("dispatcher", "escalate")],
    State.RESOLVED: [
        ("intake_clerk", "accept"),
        ("dispatcher", "dispatch"),
        ("mediator", "acknowledge"),
        ("mediator", "start"),
        ("mediator", "resolve"),
    ],
    State.CLOSED: [
        ("intake_clerk", "accept"),
        ("dispatcher", "dispatch"),
        ("mediator", "acknowledge"),
        ("mediator", "start"),
        ("mediator", "resolve"),
        ("leader", "close_early"),
    ],
}


def case_in_state(town: Any, state: str, *, other_case: Case | None = None) -> Case:
    if state == State.MERGED and other_case is None:
        other_case = new_case(town.user("intake_clerk"), town.unit_a1, title="重复的反映")
    case = new_case(town.user("intake_clerk"), town.unit_a1)
    for role, action in PATHS[state]:
        case = act(
            town.user(role), case, action, **inputs_for(action, town=town, other_case=other_case)
        )
    assert case.state == state
    return case
