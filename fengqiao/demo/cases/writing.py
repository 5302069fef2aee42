"""Playing a plan of cases through the case services, step by step in time order, with
their supervision orders through the supervision services in between."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fengqiao.cases.models import Case, Kind
from fengqiao.demo.cases.plan import (
    FOLLOWUP_POLICY,
    SHANGHAI,
    AgreementPlan,
    CasePlan,
    FollowUpPlan,
    JudicialApplyPlan,
    JudicialResultPlan,
    MediationStartPlan,
    Record,
    SessionPlan,
    SignaturePlan,
    StepPlan,
    SupervisionPlan,
)
from fengqiao.demo.progress import Progress, Stage, no_progress
from fengqiao.mediation.models import Regime
from fengqiao.supervision.models import Origin


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


def write_cases(
    cases: Iterable[CasePlan],
    refs: CaseRefs,
    *,
    supervision: Sequence[SupervisionPlan] = (),
    progress: Progress = no_progress,
) -> dict[str, int]:
    """Play every step and record of `cases`, and every supervision order on them, in time
    order, through the services.

    Runs inside the caller's transaction. The calendar is loaded once and handed to every
    call. `progress` hears of each month once it is played. Returns counts of what was
    written.
    """
    from fengqiao.cases.services import PartyInput, case_act, case_create
    from fengqiao.workcal.selectors import calendar_load

    followup_policy_write()
    calendar = calendar_load()
    cases = list(cases)
    # (time, order of the case, number): a case's registration (-1) comes first, and steps
    # and records of different cases interleave as they happened. Steps are numbered
    # from 0, records from len(steps); -2 is the acknowledgement of an emergency.
    moments = []
    for order, case in enumerate(cases):
        moments.append((case.received_at, order, -1))
        if case.kind == "emergency":
            # Those told of an emergency say "I have it" within minutes.
            moments.append((case.received_at + EMERGENCY_ACKNOWLEDGED_AFTER, order, -2))
        moments += [(step.at, order, number) for number, step in enumerate(case.steps)]
        moments += [
            (record.at, order, len(case.steps) + number)
            for number, record in enumerate(case.records)
        ]
    # Supervision orders come after the cases: at the same moment, a case's step is taken
    # before an order is raised on it or the escalation pass runs (as the planner counts).
    for number, planned in enumerate(supervision, start=len(cases)):
        moments.append((planned.raised_at, number, -1))
        moments += [(step.at, number, index) for index, step in enumerate(planned.steps)]
    moments.sort()

    ids: dict[str, tuple[int, int | None]] = {}  # key → (pk, version, None when unknown)
    player = _RecordPlayer(refs)
    supervisor = _SupervisionPlayer(refs, supervision, ids, calendar)
    months = _Months(progress, total=len(cases))
    for at, order, number in moments:
        if order >= len(cases):
            months.count(at, "orders" if number < 0 else "")
            supervisor.play(order - len(cases), number)
            continue
        case = cases[order]
        months.count(at, _what(case, number))
        if number == -2:
            _acknowledge_emergency(ids[case.key][0], at)
            continue
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
        pk, version = ids[case.key]
        if number >= len(case.steps):
            player.play(pk, case.records[number - len(case.steps)])
            ids[case.key] = (pk, None)  # the record wrote on the case's timeline
            continue
        step = case.steps[number]
        if version is None:
            version = _version(pk)
        if step.action == "resolve" and player.open_mediation(pk):
            player.conclude(pk, step)
            ids[case.key] = (pk, None)
            continue
        if step.action == "reopen" and player.finding(pk):
            player.reopen_on_finding(pk, step)
            ids[case.key] = (pk, None)
            continue
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
    months.close()
    return {
        "cases": len(cases),
        "case_steps": sum(len(case.steps) for case in cases),
        "case_records": sum(len(case.records) for case in cases),
        "open_cases": sum(case.is_open for case in cases),
        "supervision_orders": len(supervision),
    }


def _what(case: CasePlan, number: int) -> str:
    """What a case's moment (numbered as in `write_cases`) counts as in a month's progress."""
    if number == -1:
        return "cases"
    if number < 0:
        return ""
    if number < len(case.steps):
        return "steps"
    if isinstance(case.records[number - len(case.steps)], FollowUpPlan):
        return "followups"
    return "mediation"


class _Months:
    """Counts what is played in each month of the year (in the centre's time zone) and
    reports the month to `progress` when the first moment of a later one comes; a month
    in which nothing happened is reported too, with nothing in it."""

    KINDS = ("cases", "steps", "mediation", "followups", "orders")

    def __init__(self, progress: Progress, *, total: int) -> None:
        self.progress = progress
        self.total = total
        self.registered = 0
        self.month: dt.date | None = None
        self.counts: Counter[str] = Counter()

    def count(self, at: dt.datetime, what: str) -> None:
        month = at.astimezone(SHANGHAI).date().replace(day=1)
        while self.month != month:
            following = _next_month(self.month) if self.month else month
            self.close()
            self.month = following
        if what:
            self.counts[what] += 1

    def close(self) -> None:
        """Report the month counted so far, if any."""
        if self.month is None:
            return
        self.registered += self.counts["cases"]
        self.progress(
            Stage.MONTH,
            {
                "month": self.month,
                **{kind: self.counts[kind] for kind in self.KINDS},
                "registered": self.registered,
                "total": self.total,
            },
        )
        self.month, self.counts = None, Counter()


def _next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=31)).replace(day=1)


EMERGENCY_ACKNOWLEDGED_AFTER = dt.timedelta(minutes=4)


def _acknowledge_emergency(case_id: int, at: dt.datetime) -> None:
    from fengqiao.emergency.models import EmergencyAcknowledgement
    from fengqiao.emergency.services import emergency_acknowledge

    told = EmergencyAcknowledgement.objects.filter(dispatch__case_id=case_id).select_related("user")
    for offset, row in enumerate(told.order_by("pk")):
        emergency_acknowledge(
            actor=row.user, case_id=case_id, now=at + dt.timedelta(seconds=40 * offset)
        )


def _version(case_id: int) -> int:
    from fengqiao.cases.models import Case

    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def followup_policy_write() -> None:
    """The demo centre's follow-up policy (`FOLLOWUP_POLICY`), one row per kind; disputes
    keep the general row the follow-up app seeds."""
    from fengqiao.followups.models import FollowUpPolicy

    for kind, (offsets, with_terms) in FOLLOWUP_POLICY.items():
        if kind == Kind.DISPUTE:
            continue
        FollowUpPolicy.objects.update_or_create(
            kind=kind,
            grade="",
            defaults={
                "offsets_days": ", ".join(str(days) for days in offsets),
                "term_deadlines": with_terms,
            },
        )


class _RecordPlayer:
    """Plays mediation and follow-up records through their services."""

    def __init__(self, refs: CaseRefs) -> None:
        self.refs = refs
        self.mediation: dict[int, int] = {}  # case → its latest mediation
        self.agreement: dict[int, int] = {}  # case → the latest mediation's agreement
        self.confirmation: dict[int, int] = {}  # case → its latest judicial application
        self.open: set[int] = set()  # cases with a mediation under way
        self.parties: dict[int, dict[str, int]] = {}  # case → party role → party

    def _parties(self, case_id: int) -> dict[str, int]:
        if case_id not in self.parties:
            from fengqiao.cases.models import CaseParty

            self.parties[case_id] = {
                role: pk
                for role, pk in CaseParty.objects.filter(case_id=case_id)
                .order_by("-id")
                .values_list("role", "id")
            }
        return self.parties[case_id]

    def open_mediation(self, case_id: int) -> bool:
        return case_id in self.open

    def play(self, case_id: int, record: Record) -> None:
        from fengqiao.mediation import judicial, services

        users = self.refs.users
        actor = users[record.actor]
        if isinstance(record, MediationStartPlan):
            mediation = services.mediation_start(
                actor=actor,
                case_id=case_id,
                regime=Regime.PEOPLE,
                mediators=[users[name] for name in record.mediators],
                organization=self.refs.teams[record.organization],
                now=record.at,
            )
            self.mediation[case_id] = mediation.pk
            self.open.add(case_id)
        elif isinstance(record, SessionPlan):
            services.mediation_session_record(
                actor=actor,
                mediation_id=self.mediation[case_id],
                held_at=record.held_at,
                place=record.place,
                setting=record.setting,
                minutes=record.minutes,
                parties_present=list(self._parties(case_id).values()),
                others_present=record.others_present,
                now=record.at,
            )
        elif isinstance(record, AgreementPlan):
            parties = self._parties(case_id)
            agreement = services.agreement_draft(
                actor=actor,
                mediation_id=self.mediation[case_id],
                parties=list(parties.values()),
                facts=record.facts,
                matters=record.matters,
                terms=[
                    services.TermInput(
                        content=term.content,
                        due_on=term.due_on,
                        manner=term.manner,
                        obligor_party_id=parties[term.obligor],
                        recurring=term.recurring,
                    )
                    for term in record.terms
                ],
                made_on=record.made_on,
                oral=record.oral,
                performance_note=record.performance_note,
                now=record.at,
            )
            self.agreement[case_id] = agreement.pk
        elif isinstance(record, SignaturePlan):
            services.agreement_sign(
                actor=actor,
                agreement_id=self.agreement[case_id],
                signed_on=record.signed_on,
                party=self._parties(case_id)[record.party] if record.party else None,
                mediator=users[record.mediator] if record.mediator else None,
                now=record.at,
            )
        elif isinstance(record, JudicialApplyPlan):
            confirmation = judicial.judicial_apply(
                actor=actor,
                agreement_id=self.agreement[case_id],
                applied_on=record.applied_on,
                court=self.refs.agencies["court"],
                now=record.at,
            )
            self.confirmation[case_id] = confirmation.pk
        elif isinstance(record, JudicialResultPlan):
            judicial.judicial_result_record(
                actor=actor,
                confirmation_id=self.confirmation[case_id],
                result=record.result,
                result_on=record.result_on,
                now=record.at,
            )
        elif isinstance(record, FollowUpPlan):
            self._follow_up(case_id, record)
        else:  # pragma: no cover - every record kind is played above
            raise TypeError(record)

    def _follow_up(self, case_id: int, record: FollowUpPlan) -> None:
        from fengqiao.followups.models import FollowUp, Status
        from fengqiao.followups.services import followup_record

        followups = FollowUp.objects.filter(
            case_id=case_id, status=Status.SCHEDULED, scheduled_on=record.scheduled_on
        ).select_related("assignee")
        if record.term:
            from fengqiao.followups.selectors import agreement_terms

            term = agreement_terms(Case(pk=case_id))[record.term - 1]
            followup = followups.get(term_id=term.pk)
        else:
            followup = followups.get(term_id__isnull=True)
        followup_record(
            actor=followup.assignee or self.refs.users[record.actor],
            followup=followup,
            method=record.method,
            reached=record.reached,
            satisfaction=record.satisfaction,
            term_checks={followup.term_id: record.performed}
            if record.reached and followup.term_id
            else None,
            notes=record.notes,
            now=record.at,
        )

    def conclude(self, case_id: int, step: StepPlan) -> None:
        """The case's result is its mediation's outcome, recorded by the mediator."""
        from fengqiao.mediation.services import SUCCESS, mediation_outcome_record

        mediation_outcome_record(
            actor=self.refs.users[step.actor],
            mediation_id=self.mediation[case_id],
            outcome=SUCCESS,
            note=step.note,
            now=step.at,
        )
        self.open.discard(case_id)

    def finding(self, case_id: int) -> Any:
        from fengqiao.followups.models import AWAITING_DECISION, FollowUp

        return FollowUp.objects.filter(AWAITING_DECISION, case_id=case_id).first()

    def reopen_on_finding(self, case_id: int, step: StepPlan) -> None:
        """A leader reopens the case on the follow-up's finding (the reason on its timeline)."""
        from fengqiao.followups.services import followup_apply_finding

        followup_apply_finding(
            actor=self.refs.users[step.actor], followup=self.finding(case_id), now=step.at
        )


class _SupervisionPlayer:
    """Plays supervision orders through their services: the leader's orders, the deadline
    sweep's hook and the escalation pass at the moments they ran, the replies, reviews and
    withdrawals. Where the services decide (the order's deadline, which orders the sweep
    and the pass find), it checks that they decide as planned."""

    def __init__(
        self,
        refs: CaseRefs,
        orders: Sequence[SupervisionPlan],
        ids: dict[str, tuple[int, int | None]],
        calendar: Any,
    ) -> None:
        self.refs = refs
        self.orders = orders
        self.case_ids = ids
        self.calendar = calendar
        self.order_ids: dict[int, int] = {}  # index in `orders` → the stored order
        # The sweep's orders of a run, raised together; what the pass of a run does.
        self.sweeps: dict[dt.datetime, list[int]] = defaultdict(list)
        self.passes: dict[dt.datetime, Counter[str]] = defaultdict(Counter)
        for index, order in enumerate(orders):
            if order.origin == Origin.OVERDUE:
                self.sweeps[order.raised_at].append(index)
            for step in order.steps:
                if step.action in {"escalate", "overdue"}:
                    self.passes[step.at][step.action] += 1

    def play(self, index: int, number: int) -> None:
        from fengqiao.supervision import services

        order = self.orders[index]
        if number < 0:
            self._raise(index, order)
            return
        step = order.steps[number]
        users = self.refs.users
        if step.action in {"escalate", "overdue"}:
            self._escalation_pass(step.at)
        elif step.action == "reply":
            services.supervision_reply(
                actor=users[step.actor],
                order_id=self.order_ids[index],
                text=step.text,
                now=step.at,
            )
        elif step.action == "close":
            services.supervision_close(
                actor=users[step.actor],
                order_id=self.order_ids[index],
                review=step.text,
                now=step.at,
            )
        elif step.action == "withdraw":
            services.supervision_withdraw(
                actor=users[step.actor],
                order_id=self.order_ids[index],
                reason=step.text,
                now=step.at,
            )
        else:  # pragma: no cover - every step kind is played above
            raise ValueError(step.action)

    def _raise(self, index: int, order: SupervisionPlan) -> None:
        from fengqiao.supervision import services

        if order.origin == Origin.OVERDUE:
            self._sweep(order.raised_at)
            return
        target = order.target
        pools = {"user": self.refs.users, "team": self.refs.teams, "agency": self.refs.agencies}
        lead = {f"target_{target.kind}": pools[target.kind][target.ref]} if target else {}
        raised = services.supervision_raise(
            actor=self.refs.users["leader"],
            case_id=self.case_ids[order.case][0],
            matter=order.matter,
            instruction=order.instruction,
            level=order.level,
            assisting_teams=[self.refs.teams[name] for name in order.assisting_teams],
            assisting_agencies=[self.refs.agencies[kind] for kind in order.assisting_agencies],
            now=order.raised_at,
            calendar=self.calendar,
            **lead,
        )
        _expect(raised.reply_due_at == order.reply_due_at, order, "reply deadline")
        self.order_ids[index] = raised.pk

    def _sweep(self, run: dt.datetime) -> None:
        """The deadline sweep's hook at `run`, on the cases the planner found overdue then
        (once per run: every order of the run is raised together)."""
        from fengqiao.cases.selectors import overdue_q
        from fengqiao.jobs.deadlines import CASE_FIELDS
        from fengqiao.supervision.services import supervision_raise_for_overdue

        indexes = self.sweeps.pop(run, None)
        if indexes is None:
            return
        by_case = {self.case_ids[self.orders[index].case][0]: index for index in indexes}
        overdue = list(
            Case.objects.filter(overdue_q(run), pk__in=by_case).only(*CASE_FIELDS).order_by("pk")
        )
        _expect(len(overdue) == len(by_case), self.orders[indexes[0]], "overdue cases")
        for raised in supervision_raise_for_overdue(overdue, now=run):
            index = by_case.pop(raised.case_id)
            planned = self.orders[index]
            _expect(raised.case_due_at == planned.case_due_at, planned, "case deadline")
            _expect(raised.reply_due_at == planned.reply_due_at, planned, "reply deadline")
            self.order_ids[index] = raised.pk
        _expect(not by_case, self.orders[indexes[0]], "orders raised")

    def _escalation_pass(self, run: dt.datetime) -> None:
        """The escalation pass at `run` (once per run), which must find what was planned."""
        from fengqiao.supervision.services import supervision_escalate_missed

        planned = self.passes.pop(run, None)
        if planned is None:
            return
        done = supervision_escalate_missed(now=run, calendar=self.calendar)
        if done != {"escalated": planned["escalate"], "overdue": planned["overdue"]}:
            raise AssertionError(f"the escalation pass at {run} did {done}, planned {planned}")


def _expect(condition: bool, order: SupervisionPlan, what: str) -> None:
    """The services decided otherwise than the plan: the plan's deadline rules have drifted
    from theirs."""
    if not condition:
        raise AssertionError(f"supervision order {order.key} on {order.case}: {what} as planned")
