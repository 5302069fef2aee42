"""Playing a plan of cases through the case services, step by step in time order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fengqiao.demo.cases.plan import CasePlan, StepPlan


@dataclass
class CaseRefs:
    """The stored objects a case plan names, by the names the plan uses."""

    users: dict[str, Any]
    areas: dict[str, Any]
    categories: dict[str, Any]
    teams: dict[str, Any]
    agencies: dict[str, Any]
    organizations: dict[str, Any]
    persons: list[Any]


def _inputs(step: StepPlan, refs: CaseRefs, ids: dict[str, tuple[int, int]]) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    if step.note:
        inputs["note"] = inputs["reason"] = step.note
    if step.handler is not None:
        pool = {"user": refs.users, "team": refs.teams, "agency": refs.agencies}[step.handler.kind]
        inputs["handler"] = {step.handler.kind: pool[step.handler.ref].pk}
    if step.agency:
        inputs["agency"] = refs.agencies[step.agency].pk
    if step.outcome:
        inputs["outcome"] = step.outcome
    if step.grade:
        inputs["grade"] = step.grade
    if step.days:
        inputs["days"] = step.days
    if step.target:
        inputs["target_case"] = ids[step.target][0]
    return inputs


def write_cases(cases: Iterable[CasePlan], refs: CaseRefs) -> dict[str, int]:
    """Play every step of `cases`, in time order, through the case services.

    Runs inside the caller's transaction. The calendar is loaded once and handed to every
    call. Returns counts of what was written.
    """
    from fengqiao.cases.services import PartyInput, case_act, case_create
    from fengqiao.workcal.selectors import calendar_load

    calendar = calendar_load()
    cases = list(cases)
    # (time, order of the case, step number): a case's registration comes first, and
    # steps of different cases interleave as they happened.
    moments = []
    for order, case in enumerate(cases):
        moments.append((case.received_at, order, -1))
        moments += [(step.at, order, number) for number, step in enumerate(case.steps)]
    moments.sort()

    ids: dict[str, tuple[int, int]] = {}  # key → (pk, version)
    for _at, order, number in moments:
        case = cases[order]
        if number < 0:
            created = case_create(
                actor=refs.users[case.reporter],
                kind=case.kind,
                grade=case.grade,
                category=refs.categories[case.category],
                channel=case.channel,
                title=case.title,
                account=case.account,
                area=refs.areas[case.area_code],
                parties=[
                    PartyInput(
                        role=party.role,
                        person_id=refs.persons[party.person].pk if party.person >= 0 else None,
                        organization_id=(
                            refs.organizations[party.organization].pk
                            if party.organization
                            else None
                        ),
                    )
                    for party in case.parties
                ],
                address=case.address,
                latitude=case.latitude,
                longitude=case.longitude,
                people_involved=case.people_involved,
                amount_involved=case.amount_involved,
                received_at=case.received_at,
                now=case.received_at,
                calendar=calendar,
            )
            ids[case.key] = (created.pk, created.version)
            continue
        step = case.steps[number]
        pk, version = ids[case.key]
        if step.action == "close":
            _follow_up_before_closing(pk, refs.users[step.actor], step.at)
        acted = case_act(
            actor=refs.users[step.actor],
            case_id=pk,
            action=step.action,
            expected_version=version,
            now=step.at,
            calendar=calendar,
            **_inputs(step, refs, ids),
        )
        # A merge also writes a step on the target's timeline, without a new version.
        ids[case.key] = (pk, acted.version)
    return {
        "cases": len(cases),
        "case_steps": sum(len(case.steps) for case in cases),
        "open_cases": sum(case.is_open for case in cases),
    }


def _follow_up_before_closing(case_id: int, closer: Any, at: Any) -> None:
    """Record the case's remaining follow-ups (回访) as kept, so that it may close."""
    from fengqiao.followups.models import FollowUp, Status
    from fengqiao.followups.services import followup_record

    remaining = FollowUp.objects.filter(case_id=case_id, status=Status.SCHEDULED)
    for followup in remaining.select_related("assignee").order_by("due_on", "id"):
        followup_record(
            actor=followup.assignee or closer,
            followup=followup,
            method="phone",
            reached=True,
            satisfaction="satisfied",
            notes="当事人表示协议已履行，对处理结果满意。",
            now=at,
        )
