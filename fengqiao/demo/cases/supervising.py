"""Drawing the supervision orders (督办单) of the demo year.

Two kinds, as in a working centre:

- The deadline sweep's. It runs every minute, and the first run after a case's deadline
  has passed while the case is open, its milestone not met and its clock running raises a
  general-level order to the case's handler (the dispatchers when nobody handles it), once
  per case and deadline. Which cases and when follows from their planned steps through
  the deadline rules the case services keep (`deadlines`): the tier of the kind and
  grade, approved extensions, suspended working days, a reopening's fresh start.
- The leader's (高志远, `leader`): on important and complex disputes and on demands that
  dragged, a few dozen in the year at the three levels (一般, 重点, 挂牌督办), to the
  case's handler, now and then with assisting teams and agencies.

The lead unit answers most orders in time and the leader closes them after reviewing the
reply. A few replies come late, after the escalation pass (every five minutes) has moved
the order a level up, or marked it overdue at the top; one or two leader's orders are
withdrawn because the matter was settled before the reply was due. At the cut-off some
stand open: one awaiting a reply not yet due, one whose reply fell due on the evening of
the cut-off (overdue at the demo's "now"), one replied and awaiting the leader's review,
and the sweep's latest.

Pure, like the case planner: nothing touches the database, and every draw comes from a
generator of its own seeded from the town's seed, so the cases are drawn as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fengqiao.cases.models import Grade, Kind, State
from fengqiao.cases.sla import local_date
from fengqiao.demo.cases.deadlines import (
    Phase,
    case_course,
    next_run,
    overdue_runs,
    phase_at,
)
from fengqiao.demo.cases.plan import (
    CUTOFF,
    STORY_KEY,
    YEAR_END,
    CasePlan,
    CaseVolume,
    Handler,
    StepPlan,
    SupervisionPlan,
    SupervisionStepPlan,
    package_calendar,
)
from fengqiao.demo.cases.routing import AGENCY_BY_CATEGORY
from fengqiao.demo.cases.town import TownView, weighted
from fengqiao.demo.cases.worktime import WorkingClock
from fengqiao.supervision.models import Origin
from fengqiao.supervision.services import DEFAULT_LEVELS
from fengqiao.workcal.calendar import due_after

if TYPE_CHECKING:
    from fengqiao.demo.generator import TownPlan

LEADER = "leader"
DISPATCHER = "dispatcher"
# The levels as the data migration installs them, lowest first, and their reply times.
LEVELS: tuple[str, ...] = tuple(
    code for code, _name, _rank, *_rest in sorted(DEFAULT_LEVELS, key=lambda level: level[2])
)
REPLY_DAYS: dict[str, int] = {code: days for code, _name, _rank, days, _colour in DEFAULT_LEVELS}
LOWEST = LEVELS[0]
# How often the escalation pass runs (`jobs.tasks`: with the other rule passes).
ESCALATION_EVERY = dt.timedelta(minutes=5)
# The states in which a case is in someone's hands: a leader supervises it there.
HANDLED_STATES = frozenset(
    {State.DISPATCHED, State.ACKNOWLEDGED, State.IN_PROGRESS, State.SUSPENDED, State.TRANSFERRED}
)

# -------------------------------------------------------------------------- texts
# 督办事项: the case's title, then why the leader supervises it.
MATTERS = {
    Grade.COMPLEX: (
        "该纠纷涉及{people}人{amount}，双方分歧较大，当事人多次到镇综治中心反映，"
        "存在矛盾激化风险。",
        "该纠纷为复杂矛盾纠纷，牵涉面广，当事人情绪激动，有越级上访苗头。",
    ),
    Grade.IMPORTANT: (
        "该纠纷受理已{days}天尚未化解，当事人情绪激动，要求尽快解决。",
        "该纠纷涉及{people}人{amount}，调解进展缓慢，群众关注度较高。",
        "当事人多次来电询问调解进展，对办理进度不满。",
    ),
    Kind.DEMAND: (
        "群众反映的问题受理已{days}天，办理进度缓慢，反映人多次来电催办。",
        "该诉求涉及{people}户群众切身利益，群众反映强烈，需加快办理。",
        "该问题群众反复反映，办理单位进展缓慢，需督促落实。",
    ),
}
MATTER_EXTENSION = "承办单位已申请延期，"
# 督办要求, by level.
INSTRUCTIONS = {
    "general": (
        "请承办单位加快办理进度，于回复期限内书面回复办理情况。",
        "请抓紧办理，及时与当事人沟通，按期书面回复办理进展和结果。",
    ),
    "key": (
        "请承办单位负责人亲自过问，制定化解方案，明确责任人和完成时限，按期书面回复。",
        "列为重点督办事项。请查明症结，落实化解措施，按期书面回复办理结果。",
    ),
    "listed": (
        "挂牌督办。请成立工作专班，逐项落实化解措施，按期书面回复化解结果；"
        "逾期未回复的，将在全镇通报。",
        "挂牌督办。请承办单位主要负责人包案化解，稳控当事人情绪，按期书面回复；"
        "逾期未办结的，将约谈承办单位负责人。",
    ),
}
ASSISTING = "请{units}协助做好相关工作。"
# Assisting agencies by category, for disputes and now and then for demands.
ASSISTING_AGENCIES = {
    "land": "judicial",
    "family": "other",
    "labour": "labour",
    "traffic": "police",
    "debt": "court",
    "construction": "judicial",
}

# 承办人意见: what the lead unit did on receiving the order, and where the matter stands.
ACTIONS = {
    Kind.DISPUTE: (
        "收到督办单后，当天再次组织双方当事人面对面调解",
        "收到督办单后，邀请司法所工作人员共同参与调解，向双方讲解相关法律规定",
        "收到督办单后，会同村（社区）干部逐户走访，摸清双方诉求",
        "收到督办单后，分别与双方当事人谈话，做好情绪疏导，背对背做工作",
    ),
    Kind.DEMAND: (
        "收到督办单后，承办人当天到现场核实情况",
        "收到督办单后，协调相关单位召开现场会，明确整改责任和时限",
        "收到督办单后，安排专人跟进，每日向反映人通报进展",
    ),
}
DONE = "该{noun}已于{date}办结。办理结果：{result}"
UNDER_WAY = {
    Kind.DISPUTE: (
        "目前双方已就主要分歧初步达成一致，正在商定协议内容，预计{date}前化解到位。",
        "目前已查清基本事实，调解方案已征求双方意见，预计{date}前化解到位。",
    ),
    Kind.DEMAND: (
        "目前整改方案已确定，正在组织实施，预计{date}前办结。",
        "目前已与相关单位协调一致，预计{date}前办结并向反映人反馈。",
    ),
}
SUSPENDED_UNDER_WAY = (
    "目前该纠纷因等待鉴定结果暂时中止计时，已与双方当事人保持联系、稳控情绪，"
    "待结果出具后立即恢复调解，预计{date}前化解到位。",
)
LATE_REPLY = (
    "因承办人外出学习，未能按期回复，特此说明。",
    "回复逾期，系对督办时限把握不严，已作检查。",
)
# 督办室意见, when the leader closes the order.
REVIEWS_DONE = (
    "经核实，事项已办结，当事人表示满意，同意销号。",
    "回复情况属实，化解措施落实到位，予以办结销号。",
    "已电话回访当事人，反映问题已解决，同意办结。",
)
REVIEWS_UNDER_WAY = (
    "回复收悉，措施可行。请按承诺时限办结并报送结果，本督办单予以办结。",
    "回复收悉，请继续跟进，确保按期化解到位，本次督办予以销号。",
)
REVIEW_LATE = "回复逾期，予以提醒批评。"
WITHDRAW_REASONS = (
    "该{noun}已于{date}办结，督办事项已落实，撤回本督办单。",
    "经核实，该{noun}已于{date}办结，当事人表示满意，无需继续督办，予以撤回。",
)

# The overdue case's lead unit explains the delay (超期原因) and where it stands.
OVERDUE_REASONS = {
    State.TRANSFERRED: ("已移交{agency}办理，部门办理周期较长，未能在时限内反馈结果。",),
    State.ESCALATED: ("该事项已上报区综治中心协调，区级相关部门尚未答复。",),
    State.ACKNOWLEDGED: (
        "承办人签收后外出参加培训，未能及时开展工作。",
        "承办人签收后因同期事项较多，未能及时上门处理。",
    ),
    Kind.CONSULTATION: (
        "咨询事项涉及政策解释，需向相关部门核实后答复。",
        "当事人电话多次未接通，未能及时答复。",
    ),
    Kind.DISPUTE: ("双方分歧较大，需多次组织调解，未能在时限内反馈。",),
    Kind.EMERGENCY: ("事发时已近深夜，处置持续到次日，未能在当日完成。",),
    "": (
        "当事人白天上班，多次上门未遇，未能及时核实情况。",
        "涉及多个单位，协调时间较长。",
        "维修需等待材料到货，未能在时限内完成。",
        "承办人同期承办事项较多，对办理时限把握不严。",
        "需现场核实，适逢连续降雨未能及时进场。",
    ),
}
OVERDUE_UNDER_WAY = (
    "目前已与当事人取得联系并说明情况，预计{date}前办结。",
    "目前已到现场核实，正在协调处理，预计{date}前办结。",
    "目前正在协调相关单位制定处理方案，预计{date}前办结。",
)
OVERDUE_PROMISE = ("", "", "今后将严格落实办理时限。", "已向当事人致歉并说明情况。")
OVERDUE_REVIEWS_DONE = (
    "回复情况属实，该事项已办结，予以销号。请承办人今后严格按时限办理。",
    "已核实，同意销号。",
    "事项已办结，同意销号。请加强时限管理。",
)
OVERDUE_REVIEWS_UNDER_WAY = (
    "回复收悉，请按承诺时限办结并及时反馈，本次督办予以销号。",
    "超期原因属实，请抓紧办理，本次督办予以销号。",
)


def date_text(moment: dt.datetime | dt.date) -> str:
    day = local_date(moment) if isinstance(moment, dt.datetime) else moment
    return f"{day.month}月{day.day}日"


# ------------------------------------------------------------------- the planner
@dataclass
class _Candidate:
    """A case the leader may supervise, and the working days on which he may."""

    case: CasePlan
    days: list[dt.date]
    weight: int


class SupervisionPlanner:
    """Draws the year's orders for a town's cases; `plan()` returns them."""

    def __init__(
        self, town: TownPlan, cases: Sequence[CasePlan], seed: int, volume: CaseVolume
    ) -> None:
        self.town = TownView(town)
        self.cases = tuple(cases)
        self.volume = volume
        self.rng = random.Random(f"fengqiao-demo-supervision-{seed}")
        self.calendar = package_calendar()
        self.clock = WorkingClock(self.rng, self.calendar)
        self.courses = {case.key: case_course(case, self.calendar) for case in self.cases}
        self.members = {
            account.mediation_organization: account.username
            for account in town.accounts
            if account.mediation_organization
        }
        self.agency_names = {agency.kind: agency.name for agency in town.agencies}

    def plan(self) -> tuple[SupervisionPlan, ...]:
        orders = self.automatic() + self.leaders()
        orders.sort(key=lambda order: (order.raised_at, order.case, order.origin))
        return tuple(
            dataclasses.replace(order, key=f"order-{number:05d}")
            for number, order in enumerate(orders, start=1)
        )

    # ------------------------------------------------------------- shared parts
    def reply_due(self, level: str, moment: dt.datetime) -> dt.datetime:
        return due_after(self.calendar, moment, REPLY_DAYS[level]).due_at

    def replier(self, target: Handler | None) -> str:
        """Who answers for the lead unit: the person, the team's member, the agency's
        liaison (the leader records the answer of an agency without one), or the
        dispatcher for the centre."""
        if target is None:
            return DISPATCHER
        if target.kind == "user":
            return target.ref
        if target.kind == "team":
            return self.members[target.ref]
        return self.town.liaisons.get(target.ref, LEADER)

    def escalations(
        self, level: str, due: dt.datetime, answered: dt.datetime | None
    ) -> list[SupervisionStepPlan]:
        """What the escalation pass does to an order of `level` due at `due`, answered at
        `answered` (None: not by the cut-off): a level up each time the reply is missed,
        and at the top, once, overdue."""
        steps: list[SupervisionStepPlan] = []
        while answered is None or answered > due:
            run = next_run(due, ESCALATION_EVERY)
            if run > CUTOFF or (answered is not None and answered <= run):
                break
            rank = LEVELS.index(level)
            if rank + 1 == len(LEVELS):
                steps.append(SupervisionStepPlan(run, "overdue", level=level, reply_due_at=due))
                break
            level, due = LEVELS[rank + 1], self.reply_due(LEVELS[rank + 1], run)
            steps.append(SupervisionStepPlan(run, "escalate", level=level, reply_due_at=due))
        return steps

    def life(
        self,
        *,
        level: str,
        due: dt.datetime,
        replier: str,
        answered: dt.datetime | None,
        reply: str,
        closed: dt.datetime | None,
        review: str,
    ) -> tuple[SupervisionStepPlan, ...]:
        """The order's steps after its raising, those up to the cut-off."""
        if answered is not None and answered > CUTOFF:
            answered = None
        steps = self.escalations(level, due, answered)
        if answered is None:
            return tuple(steps)
        steps.append(SupervisionStepPlan(answered, "reply", actor=replier, text=reply))
        if closed is not None and closed <= CUTOFF:
            steps.append(SupervisionStepPlan(closed, "close", actor=LEADER, text=review))
        return tuple(steps)

    def promised(self, case: CasePlan, answered: dt.datetime, days: int) -> dt.date:
        """The day by which a reply at `answered` promises the result: the day it comes
        (a working day later at the soonest), or `days` working days on if it does not
        come in the year."""
        coming = next((s for s in case.steps if s.action == "resolve" and s.at > answered), None)
        soonest = self.clock.next_working_day(local_date(answered))
        if coming is None:
            return self.clock.working_days_after_day(local_date(answered), days)
        return max(local_date(coming.at), soonest)

    def last_result(self, case: CasePlan, until: dt.datetime) -> StepPlan | None:
        """The result in force at `until`: the last recorded by then, unless reopened."""
        result = None
        for step in case.steps:
            if step.at > until:
                break
            if step.action == "resolve":
                result = step
            elif step.action == "reopen":
                result = None
        return result

    # ---------------------------------------------------------- the sweep's orders
    def automatic(self) -> list[SupervisionPlan]:
        orders = []
        for case in self.cases:
            for run, phase in overdue_runs(self.courses[case.key]):
                orders.append(self.automatic_order(case, run, phase))
        return orders

    def automatic_order(self, case: CasePlan, run: dt.datetime, phase: Phase) -> SupervisionPlan:
        rng, clock = self.rng, self.clock
        due = self.reply_due(LOWEST, run)
        if rng.random() < 0.06:
            # Answered late: after the escalation pass has moved it up.
            answered = clock.working_days_after(due, rng.randint(1, 2))
        else:
            answered = clock.working_days_after(run, rng.randint(1, REPLY_DAYS[LOWEST] - 1))
        closed = clock.working_days_after(answered, rng.choice((0, 0, 1, 1, 2)))
        reply = self.overdue_reply(case, phase, answered)
        result = self.last_result(case, closed)
        review = rng.choice(OVERDUE_REVIEWS_DONE if result else OVERDUE_REVIEWS_UNDER_WAY)
        return SupervisionPlan(
            key="",
            case=case.key,
            origin=Origin.OVERDUE,
            raised_at=run,
            level=LOWEST,
            reply_due_at=due,
            target=phase.handler,
            case_due_at=phase.due_at,
            steps=self.life(
                level=LOWEST,
                due=due,
                replier=self.replier(phase.handler),
                answered=answered,
                reply=reply,
                closed=closed,
                review=review,
            ),
        )

    def overdue_reply(self, case: CasePlan, phase: Phase, answered: dt.datetime) -> str:
        rng = self.rng
        if phase.state in OVERDUE_REASONS:
            reasons = OVERDUE_REASONS[phase.state]
        else:
            reasons = OVERDUE_REASONS.get(case.kind, OVERDUE_REASONS[""])
        agency = self.agency_names.get(phase.handler.ref, "") if phase.handler else ""
        reason = rng.choice(reasons).format(agency=agency)
        result = self.last_result(case, answered)
        if result is not None:
            where = DONE.format(noun="事项", date=date_text(result.at), result=result.note)
        else:
            promised = self.promised(case, answered, 3)
            where = rng.choice(OVERDUE_UNDER_WAY).format(date=date_text(promised))
        return f"超期原因：{reason}{where}{rng.choice(OVERDUE_PROMISE)}"

    # --------------------------------------------------------- the leader's orders
    def leaders(self) -> list[SupervisionPlan]:
        """The leader's orders: first those standing open at the cut-off, which need cases
        still open then; then the year's, on disputes and demands, some of them withdrawn
        and some answered late."""
        total = self.volume.leader_orders
        used: set[str] = set()
        orders = self.open_at_cutoff(used)
        rest = total - len(orders)
        withdrawn = max(1, total // 18)
        late = max(1, total // 10)
        disputes = self.candidates(Kind.DISPUTE, used)
        demands = self.candidates(Kind.DEMAND, used)
        # One late reply misses its deadline twice in a full year.
        fates = ["withdrawn"] * withdrawn + ["late"] * (late - 1)
        fates.append("late twice" if total >= 20 else "late")
        on_disputes = round(rest * 0.4)
        year: list[SupervisionPlan] = []
        while len(year) < rest and (disputes or demands):
            pool = disputes if disputes and (on_disputes > 0 or not demands) else demands
            candidate = self.draw(pool)
            fate = fates.pop() if fates else "answered"
            order = self.leader_order(candidate, fate)
            if order is None and fate != "answered":
                fates.append(fate)  # for the next case
                order = self.leader_order(candidate, "answered")
            if order is not None:
                year.append(order)
                on_disputes -= candidate.case.kind == Kind.DISPUTE
        return orders + year

    def candidates(self, kind: str, used: set[str]) -> list[_Candidate]:
        """Cases of `kind` settled in the year after a few days in someone's hands: the
        important and complex disputes, and the demands that dragged."""
        found = []
        for case in self.cases:
            if case.kind != kind or case.key == STORY_KEY or case.key in used:
                continue
            phases = self.courses[case.key]
            result = next((s for s in case.steps if s.action == "resolve"), None)
            handled = [p for p in phases if p.state in HANDLED_STATES and p.handler]
            if result is None or result.at > CUTOFF or not handled:
                continue
            grades = {case.grade} | {s.grade for s in case.steps if s.action == "regrade"}
            # From the working day after it came into someone's hands, and the second
            # after its receipt, to the day before its result.
            day = max(
                self.clock.next_working_day(local_date(handled[0].start)),
                self.clock.working_days_after_day(local_date(case.received_at), 2),
            )
            days = []
            while day < local_date(result.at):
                days.append(day)
                day = self.clock.next_working_day(day)
            if not days:
                continue
            if kind == Kind.DISPUTE:
                if Grade.COMPLEX in grades:
                    weight = 6
                elif Grade.IMPORTANT in grades:
                    weight = 3
                else:
                    continue
            else:
                actions = {step.action for step in case.steps}
                overdue = bool(overdue_runs(phases))
                if len(days) < 2 and not overdue:
                    continue
                weight = 1 + 3 * bool(actions & {"request_extension", "suspend"}) + 2 * overdue
                weight += case.people_involved > 1
            found.append(_Candidate(case, days, weight))
        return found

    def draw(self, pool: list[_Candidate]) -> _Candidate:
        """A candidate drawn by weight and taken out of `pool`."""
        return pool.pop(weighted(self.rng, ((index, c.weight) for index, c in enumerate(pool))))

    def level_for(self, case: CasePlan) -> str:
        grades = {case.grade} | {s.grade for s in case.steps if s.action == "regrade"}
        if case.kind == Kind.DEMAND:
            weights = (("general", 75), ("key", 20), ("listed", 5))
        elif Grade.COMPLEX in grades:
            weights = (("general", 10), ("key", 40), ("listed", 50))
        else:
            weights = (("general", 35), ("key", 50), ("listed", 15))
        return weighted(self.rng, weights)

    def raise_moment(self, case: CasePlan, day: dt.date) -> tuple[dt.datetime, Phase] | None:
        """When on `day` the leader raises an order on the case, and the phase it is in
        then; None unless the case is in someone's hands then."""
        moment = self.clock.working_moment(day, dt.time(9, 0))
        phase = phase_at(self.courses[case.key], moment)
        if phase.state not in HANDLED_STATES or phase.handler is None:
            return None
        return moment, phase

    def leader_order(self, candidate: _Candidate, fate: str) -> SupervisionPlan | None:
        """An order on a settled case: "answered" in time and closed, answered "late", or
        "withdrawn" because the case was settled before the reply was due."""
        rng, clock, case = self.rng, self.clock, candidate.case
        result = next(s for s in case.steps if s.action == "resolve")
        if fate == "withdrawn":
            days = candidate.days[-1:]
            level = rng.choice(("general", "key"))
        else:
            days = rng.sample(candidate.days, min(3, len(candidate.days)))
            level = "general" if fate.startswith("late") else self.level_for(case)
        raised = next(filter(None, (self.raise_moment(case, day) for day in days)), None)
        if raised is None:
            return None
        moment, phase = raised
        due = self.reply_due(level, moment)
        replier = self.replier(phase.handler)
        if fate == "withdrawn":
            withdrawn_at = clock.later(result.at, 60, 480)
            if withdrawn_at >= due or withdrawn_at > CUTOFF:
                return None
            reason = rng.choice(WITHDRAW_REASONS).format(
                noun=_noun(case), date=date_text(result.at)
            )
            steps = (SupervisionStepPlan(withdrawn_at, "withdraw", actor=LEADER, text=reason),)
            return self.order(case, moment, level, due, phase, steps)
        late = fate.startswith("late")
        if late:
            # The reply comes on the working day after the deadline it missed last.
            missed_due = due
            if fate == "late twice":
                missed_due = self.escalations(level, due, None)[0].reply_due_at or due
            answered = clock.working_days_after(missed_due, 1)
        else:
            answered = clock.working_days_after(moment, rng.randint(1, REPLY_DAYS[level] - 1))
        closed = clock.working_days_after(answered, rng.choice((0, 1, 1, 2)))
        reply = self.leader_reply(case, answered, late=late)
        review = self.leader_review(case, closed, late=late)
        steps = self.life(
            level=level,
            due=due,
            replier=replier,
            answered=answered,
            reply=reply,
            closed=closed,
            review=review,
        )
        return self.order(case, moment, level, due, phase, steps)

    def order(
        self,
        case: CasePlan,
        moment: dt.datetime,
        level: str,
        due: dt.datetime,
        phase: Phase,
        steps: Iterable[SupervisionStepPlan],
    ) -> SupervisionPlan:
        """A leader's order on the case at `moment`, to its handler then."""
        rng = self.rng
        grades = {case.grade} | {s.grade for s in case.steps if s.action == "regrade"}
        if case.kind == Kind.DISPUTE:
            pool = MATTERS[Grade.COMPLEX if Grade.COMPLEX in grades else Grade.IMPORTANT]
        else:
            pool = MATTERS[Kind.DEMAND]
        extension = (
            any(s.action == "request_extension" and s.at < moment for s in case.steps)
            and case.kind == Kind.DEMAND
        )
        amount = f"、涉及金额{case.amount_involved}元" if case.amount_involved else ""
        context = rng.choice(pool).format(
            people=max(case.people_involved, 2),
            amount=amount,
            days=max((moment - case.received_at).days, 2),
        )
        matter = f"{case.title}。{MATTER_EXTENSION if extension else ''}{context}"
        teams, agencies = self.assisting(case, phase.handler)
        instruction = rng.choice(INSTRUCTIONS[level])
        units = [*teams, *(self.agency_names[kind] for kind in agencies)]
        if units:
            instruction += ASSISTING.format(units="、".join(units))
        return SupervisionPlan(
            key="",
            case=case.key,
            origin=Origin.LEADER,
            raised_at=moment,
            level=level,
            reply_due_at=due,
            target=phase.handler,
            matter=matter,
            instruction=instruction,
            assisting_teams=teams,
            assisting_agencies=agencies,
            steps=tuple(steps),
        )

    def assisting(
        self, case: CasePlan, lead: Handler | None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Now and then a town team helps a village committee, and an agency helps with
        what lies in its field."""
        rng, category = self.rng, case.category
        teams: tuple[str, ...] = ()
        team = self.town.team_by_category.get(category)
        if (
            team
            and lead is not None
            and lead.kind == "team"
            and lead.ref != team[0]
            and rng.random() < 0.6
        ):
            teams = (team[0],)
        agency = ASSISTING_AGENCIES.get(category) if case.kind == Kind.DISPUTE else None
        if case.kind == Kind.DEMAND and rng.random() < 0.3:
            agency = AGENCY_BY_CATEGORY.get(category)
        chance = 0.5 if case.kind == Kind.DISPUTE else 1.0
        lead_agency = lead.ref if lead is not None and lead.kind == "agency" else ""
        if agency and agency != lead_agency and rng.random() < chance:
            return teams, (agency,)
        return teams, ()

    def leader_reply(self, case: CasePlan, answered: dt.datetime, *, late: bool) -> str:
        rng = self.rng
        kind = Kind.DISPUTE if case.kind == Kind.DISPUTE else Kind.DEMAND
        action = rng.choice(ACTIONS[kind])
        result = self.last_result(case, answered)
        if result is not None:
            where = DONE.format(noun=_noun(case), date=date_text(result.at), result=result.note)
        else:
            pool = UNDER_WAY[kind]
            if phase_at(self.courses[case.key], answered).state == State.SUSPENDED:
                pool = SUSPENDED_UNDER_WAY
            where = rng.choice(pool).format(date=date_text(self.promised(case, answered, 5)))
        late_note = rng.choice(LATE_REPLY) if late else ""
        return f"{action}。{where}{late_note}"

    def leader_review(self, case: CasePlan, closed: dt.datetime, *, late: bool) -> str:
        rng = self.rng
        done = self.last_result(case, closed) is not None
        review = rng.choice(REVIEWS_DONE if done else REVIEWS_UNDER_WAY)
        return f"{REVIEW_LATE}{review}" if late else review

    # ------------------------------------------------ standing open at the cut-off
    def open_at_cutoff(self, used: set[str]) -> list[SupervisionPlan]:
        """One order overdue at the demo's "now" (its reply fell due on the evening of the
        cut-off), one replied and awaiting review, one just raised: on cases still open
        and in someone's hands at the cut-off."""
        pool = [
            case
            for case in self.cases
            if case.key != STORY_KEY
            and case.is_open
            and case.kind in {Kind.DISPUTE, Kind.DEMAND}
            and self.courses[case.key][-1].state in HANDLED_STATES
            and self.courses[case.key][-1].handler is not None
        ]
        # Disputes first: they are what a leader supervises most readily.
        self.rng.shuffle(pool)
        pool.sort(key=lambda case: case.kind != Kind.DISPUTE)
        orders = []
        for fate in ("overdue", "replied", "awaiting"):
            for case in pool:
                if case.key in used:
                    continue
                order = self.standing_order(case, fate)
                if order is not None:
                    used.add(case.key)
                    orders.append(order)
                    break
        return orders

    def standing_order(self, case: CasePlan, fate: str) -> SupervisionPlan | None:
        rng, clock = self.rng, self.clock
        last_day = (
            YEAR_END if clock.is_working_day(YEAR_END) else clock.working_days_before(YEAR_END, 1)
        )
        level = self.level_for(case)
        if fate == "overdue":
            # Raised the day that puts its reply deadline on the evening of the cut-off.
            for code in sorted(LEVELS, key=lambda code: code != level):
                day = clock.working_days_before(last_day, REPLY_DAYS[code])
                raised = self.raise_moment(case, day)
                if raised and local_date(self.reply_due(code, raised[0])) == last_day:
                    moment, phase = raised
                    due = self.reply_due(code, moment)
                    steps = self.escalations(code, due, None)  # none: it fell due after the cut-off
                    return self.order(case, moment, code, due, phase, steps)
            return None
        if fate == "replied":
            # Raised a few days before the cut-off, answered on its last day or by the
            # deadline if that comes first; the leader has not reviewed it yet.
            raised = self.raise_moment(case, clock.working_days_before(last_day, rng.randint(2, 3)))
            if raised is None:
                return None
            moment, phase = raised
            due = self.reply_due(level, moment)
            answered = clock.working_moment(min(last_day, local_date(due)), dt.time(9, 0))
            steps = (
                SupervisionStepPlan(
                    answered,
                    "reply",
                    actor=self.replier(phase.handler),
                    text=self.leader_reply(case, answered, late=False),
                ),
            )
            return self.order(case, moment, level, due, phase, steps)
        raised = self.raise_moment(case, last_day)
        if raised is None or raised[0] > CUTOFF:
            return None
        moment, phase = raised
        due = self.reply_due(level, moment)
        return self.order(case, moment, level, due, phase, self.escalations(level, due, None))


def _noun(case: CasePlan) -> str:
    return "纠纷" if case.kind == Kind.DISPUTE else "事项"


def plan_supervision(
    town: TownPlan, cases: Sequence[CasePlan], *, seed: int, volume: CaseVolume
) -> tuple[SupervisionPlan, ...]:
    """The year's supervision orders on `cases`; pure, so equal inputs give equal orders."""
    return SupervisionPlanner(town, cases, seed, volume).plan()
