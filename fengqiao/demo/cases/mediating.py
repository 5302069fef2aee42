"""Drawing the mediation records and the follow-ups (回访) of the demo year's cases.

Called while a case's path is drawn (`lifecycle`): a dispute handled by a committee or a
specialised team is mediated (the mediation started by its mediator, sessions with
minutes, an agreement with its terms, signatures, sometimes an application for judicial
confirmation), and every handled case is followed up on the days the demo centre's policy
(`FOLLOWUP_POLICY`, the same days the follow-up services schedule) gives, before it is
closed. Pure, like the planner: everything comes from the planner's generator.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from fengqiao.cases.models import Grade, Kind, Outcome, PartyRole
from fengqiao.demo.cases.plan import (
    FOLLOWUP_POLICY,
    SHANGHAI,
    AgreementPlan,
    FollowUpPlan,
    JudicialApplyPlan,
    JudicialResultPlan,
    MediationStartPlan,
    SessionPlan,
    SignaturePlan,
    TermPlan,
)
from fengqiao.demo.cases.worktime import MINUTE, WorkingClock
from fengqiao.followups.models import Method, Satisfaction
from fengqiao.mediation.models import JudicialResult, Setting

if TYPE_CHECKING:
    from fengqiao.demo.cases.spec import CasePath, CaseSpec
    from fengqiao.demo.cases.town import TownView

# -------------------------------------------------------------------------- texts
SETTINGS_BY_CATEGORY = {
    "land": (Setting.ON_SITE, "{place}地块现场"),
    "neighbours": (Setting.NEIGHBOURS, "{place}当事人楼下"),
    "property": (Setting.ON_SITE, "{place}现场"),
    "family": (Setting.HOME, "{name}家中"),
    "construction": (Setting.ON_SITE, "{place}施工现场"),
    "environment": (Setting.ON_SITE, "{place}现场"),
}
CENTRE_PLACE = "镇综治中心调解室"
MINUTES = (
    "调解员：今天请双方到场，把事情说清楚，本着互谅互让的原则协商解决。\n"
    "调解员核实情况：{complaint}\n"
    "{name}：情况就是这样，希望尽快解决。\n"
    "{respondent}：情况基本属实，我方愿意协商解决。\n"
    "调解员：根据双方陈述和现场查看的情况，建议{remedy}。双方有什么意见？\n"
    "{name}：同意。\n"
    "{respondent}：同意。",
    "调解员向双方讲解了相关法律规定和处理惯例，分别听取了双方意见。\n"
    "经核实：{complaint}\n"
    "{respondent}：我方此前沟通不够，愿意配合处理。\n"
    "经调解员背对背做工作，双方同意{remedy}。",
)
FIRST_SESSION = (
    "调解员到场查看情况，分别听取双方陈述。经初步了解：{complaint}\n"
    "{respondent}：对方说的情况有出入，需要再核实。\n"
    "调解员：先把事实核清楚，约定下次调解时间，双方各自准备材料。"
)
ORAL_REMEDY = "互谅互让，当场了结此事"
# What the parties agree to, by category: (content, manner, days allowed, recurring).
TERMS: dict[str, tuple[tuple[str, str, int, str], ...]] = {
    "neighbours": (
        ("清理占用公共部位的杂物，恢复原状", "自行清理，由网格员现场确认", 5, ""),
        ("维修漏水管道，并赔偿对方墙面修复费用", "请维修人员上门处理，费用当面结清", 10, ""),
    ),
    "property": (
        ("对反映的问题安排专人维修处理", "派维修人员上门，处理结果经业主确认", 10, ""),
        ("整改到位并向业主书面答复", "整改后书面答复，社区监督", 14, "每季度检查一次"),
    ),
    "land": (("按现场确认的界址线恢复地界，移除越界作物", "村委会见证，双方到场确认", 15, ""),),
    "labour": (("一次性支付拖欠的劳动报酬", "银行转账", 10, ""),),
    "family": (("按月支付赡养费用，定期探望", "每月5日前转账", 30, "此后每月支付"),),
    "construction": (("修复施工造成的损坏并承担费用", "施工方派人修复，业主验收", 15, ""),),
    "environment": (("采取降噪措施，22时后停止作业", "安装隔音设施，社区监督", 7, ""),),
    "traffic": (("一次性赔偿医疗费、误工费等各项损失", "现金当面支付", 7, ""),),
    "consumer": (("退还货款或更换合格商品", "当面退换", 5, ""),),
    "debt": (("分期归还欠款", "银行转账", 30, ""),),
    "other": (("按调解方案履行各自义务", "双方自行履行，村（社区）监督", 10, ""),),
}
ORAL_NOTES = (
    "双方当场达成口头协议，并即时履行完毕。",
    "双方口头约定互相谅解，当场握手言和。",
)
FACTS = "{account}"
MATTERS = "双方就{title}的处理方式及责任承担存在争议。"
FOLLOWUP_NOTES = {
    Satisfaction.SATISFIED: (
        "当事人表示协议已履行，对处理结果满意。",
        "已履行完毕，双方关系恢复正常，当事人满意。",
        "问题已解决，当事人表示感谢。",
        "",
    ),
    Satisfaction.BASICALLY_SATISFIED: (
        "协议已履行，当事人认为处理时间偏长，基本满意。",
        "问题基本解决，当事人希望今后多加关注。",
    ),
}
UNREACHABLE_NOTES = ("电话无人接听。", "上门未遇，当事人外出务工。", "电话关机。")
NOT_PERFORMED_NOTES = "到期未履行，对方称资金（人手）紧张，当事人要求重新处理。"
DISSATISFIED_NOTES = "当事人认为对方履行不到位，对处理结果不满意，要求重新调解。"


# ----------------------------------------------------------------------- mediation
class MediationDrawer:
    """The mediation and follow-up part of the planner; shares its generator and clock."""

    def __init__(self, town: TownView, rng: random.Random, clock: WorkingClock) -> None:
        self.rng = rng
        self.clock = clock
        self.terms: tuple[TermPlan, ...] = ()  # of the agreement just drawn
        self.case_terms: list[TermPlan] = []  # of every agreement of the case in effect
        self.effective_on: dt.date | None = None
        self.applications = 0  # judicial confirmations drawn so far (the first withdrawn)
        # who belongs to which committee or team
        self.organization_of = {
            account.username: account.mediation_organization
            for account in town.plan.accounts
            if account.mediation_organization
        }

    def mediates(self, worker: str) -> bool:
        return worker in self.organization_of

    def mediate(
        self,
        path: CasePath,
        spec: CaseSpec,
        worker: str,
        grade: str,
        resolve_at: dt.datetime,
        *,
        written: bool = False,
    ) -> bool:
        """A successful mediation before `resolve_at`, when a committee or team handles it."""
        self.terms, self.effective_on = (), None
        if (
            spec.kind != Kind.DISPUTE
            or spec.outcome != Outcome.RESOLVED
            or path.mediating is None
            or path.mediating[1] != worker
            or not self.mediates(worker)
            or spec.words is None
        ):
            return False
        words = spec.words
        self.conclude(
            path,
            worker=worker,
            since=path.mediating[0],
            resolve_at=resolve_at,
            grade=grade,
            category=spec.template.category,
            roles=words["roles"],
            values=words["values"],
            title=words["title"],
            account=words["complaint"],
            complaint=words["complaint"],
            written=written or spec.judicial_window,
        )
        return True

    def _spread(self, after: dt.datetime, before: dt.datetime, count: int) -> list[dt.datetime]:
        """`count` moments strictly between `after` and `before`, in order."""
        step = (before - after) / (count + 1)
        return [(after + step * (number + 1)).replace(microsecond=0) for number in range(count)]

    def _values(self, values: dict[str, Any]) -> dict[str, Any]:
        respondent = values["company"] or values["other"] or "对方"
        return {**values, "respondent": respondent}

    def _office_moment(
        self, lower: dt.datetime, upper: dt.datetime, *, latest: bool = False
    ) -> dt.datetime:
        """A moment in office hours of a working day strictly between `lower` and `upper`
        (on the last such day when `latest`); the middle when there is none."""
        low, high = lower.astimezone(SHANGHAI), upper.astimezone(SHANGHAI)
        windows = []
        day = low.date()
        while day <= high.date() and len(windows) < 60:
            if self.clock.is_working_day(day):
                opens = max(dt.datetime.combine(day, dt.time(8, 30), tzinfo=SHANGHAI), low + MINUTE)
                closes = min(
                    dt.datetime.combine(day, dt.time(17, 30), tzinfo=SHANGHAI), high - MINUTE
                )
                if opens < closes:
                    windows.append((opens, closes))
            day += dt.timedelta(days=1)
        if not windows:
            return (lower + (upper - lower) / 2).replace(microsecond=0)
        opens, closes = windows[-1] if latest else self.rng.choice(windows)
        return opens + MINUTE * self.rng.randint(0, int((closes - opens) / MINUTE))

    def _session(
        self, path: CasePath, worker: str, held_at: dt.datetime, until: dt.datetime, **fields: Any
    ) -> dt.datetime:
        recorded = held_at + min((until - held_at) / 2, MINUTE * self.rng.randint(20, 50))
        path.record(SessionPlan(at=recorded, actor=worker, held_at=held_at, **fields))
        return recorded

    def start_and_sessions(
        self,
        path: CasePath,
        *,
        worker: str,
        since: dt.datetime,
        until: dt.datetime,
        category: str,
        values: dict[str, Any],
        complaint: str,
        concluded: bool,
        remedy: str = "",
    ) -> dt.datetime:
        """The mediation's start and its sessions between `since` and `until`; returns the
        time of the last record. A concluded one ends with the session that agreed."""
        rng = self.rng
        words = self._values(values)
        setting, place_pattern = SETTINGS_BY_CATEGORY.get(category, (Setting.CENTRE, CENTRE_PLACE))
        if rng.random() < 0.3:
            setting, place_pattern = Setting.CENTRE, CENTRE_PLACE
        fields = {"place": place_pattern.format(**words), "setting": setting}
        span = until - since
        started = since + min(span / 6, MINUTE * rng.randint(5, 40))
        path.record(
            MediationStartPlan(
                at=started,
                actor=worker,
                organization=self.organization_of[worker],
                mediators=(worker,),
            )
        )
        first = FIRST_SESSION.format(complaint=complaint, **words)
        if not concluded:
            held_at = self._office_moment(started, until)
            return self._session(path, worker, held_at, until, minutes=first, **fields)
        agreed = rng.choice(MINUTES).format(complaint=complaint, remedy=remedy, **words)
        final = self._office_moment(started, until - (until - started) / 4, latest=True)
        last = started
        if final - started > dt.timedelta(days=3) and rng.random() < 0.35:
            held_at = self._office_moment(started, final - dt.timedelta(days=1))
            last = self._session(path, worker, held_at, final, minutes=first, **fields)
        final = max(final, last + MINUTE)
        return self._session(path, worker, final, until, minutes=agreed, **fields)

    def conclude(
        self,
        path: CasePath,
        *,
        worker: str,
        since: dt.datetime,
        resolve_at: dt.datetime,
        grade: str,
        category: str,
        roles: tuple[str, ...],
        values: dict[str, Any],
        title: str,
        account: str,
        complaint: str,
        written: bool = False,
    ) -> None:
        """A mediation that succeeds at `resolve_at`: start, sessions, the agreement (oral
        now and then for a general dispute, unless `written`) and its signatures."""
        rng = self.rng
        oral = not written and grade == Grade.GENERAL and rng.random() < 0.3
        self.terms, self.effective_on = (), None
        records = 2 if oral else 2 + len(roles) + 1
        content, manner, days, recurring = rng.choice(TERMS.get(category, TERMS["other"]))
        last_session = self.start_and_sessions(
            path,
            worker=worker,
            since=since,
            until=resolve_at - min((resolve_at - since) / 3, MINUTE * 35),
            category=category,
            values=values,
            complaint=complaint,
            concluded=True,
            remedy=ORAL_REMEDY if oral else content,
        )
        moments = self._spread(max(last_session, resolve_at - MINUTE * 30), resolve_at, records)[1:]
        made_on = moments[0].astimezone(SHANGHAI).date()
        terms: tuple[TermPlan, ...] = ()
        if not oral:
            obligor = PartyRole.RESPONDENT if PartyRole.RESPONDENT in roles else roles[0]
            terms = (
                TermPlan(
                    obligor=obligor,
                    content=content,
                    manner=manner,
                    due_on=made_on + dt.timedelta(days=rng.randint(max(days // 2, 1), days)),
                    recurring=recurring,
                ),
            )
        self.terms = terms
        path.record(
            AgreementPlan(
                at=moments[0],
                actor=worker,
                made_on=made_on,
                facts=FACTS.format(account=account),
                matters=MATTERS.format(title=title),
                terms=terms,
                oral=oral,
                performance_note=rng.choice(ORAL_NOTES) if oral else "",
            )
        )
        if oral:
            return
        # every party, then the mediator: the agreement takes effect with the last
        signers = [{"party": role} for role in roles] + [{"mediator": worker}]
        for moment, signer in zip(moments[1:], signers, strict=True):
            path.record(SignaturePlan(moment, worker, made_on, **signer))
        self.effective_on = made_on
        self.case_terms += terms

    def maybe_apply(self, path: CasePath, *, worker: str, judicial: bool | None) -> None:
        """After a written agreement took effect: now and then the parties apply to the
        court for judicial confirmation (the first application drawn is withdrawn)."""
        if not self.terms or self.effective_on is None:
            return
        clock, rng = self.clock, self.rng
        if judicial is None:
            judicial = rng.random() < 0.1
        if not judicial:
            return
        effective_on = self.effective_on
        applied = clock.working_moment(
            clock.working_days_after_day(effective_on, rng.randint(2, 8))
        )
        decided = clock.working_moment(
            clock.working_days_after_day(applied.date(), rng.randint(3, 10))
        )
        result = JudicialResult.WITHDRAWN if self.applications == 0 else JudicialResult.CONFIRMED
        self.applications += 1
        path.record(JudicialApplyPlan(applied, worker, applied.date()))
        path.record(JudicialResultPlan(decided, worker, result, decided.date()))

    # ------------------------------------------------------------------ follow-ups
    def schedule(self, kind: str, resolved_on: dt.date) -> list[tuple[dt.date, int]]:
        """The follow-ups the services schedule on the result: (day, term position)."""
        offsets, with_terms = FOLLOWUP_POLICY[kind]
        planned = [(self.on_working_day(resolved_on + dt.timedelta(days=d)), 0) for d in offsets]
        if with_terms:
            # the terms of every agreement in effect, numbered as the services list them
            for position, term in enumerate(self.case_terms, start=1):
                planned.append((self.on_working_day(max(term.due_on, resolved_on)), position))
        return sorted(planned)

    def on_working_day(self, day: dt.date) -> dt.date:
        while not self.clock.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def follow_up(
        self, path: CasePath, *, kind: str, actor: str, resolved_at: dt.datetime, fail: str = ""
    ) -> bool:
        """Each follow-up on its day (now and then a day or two late; a party sometimes not
        reached and called again the next working day). `fail` makes one find the agreement
        not kept: "term" (a term not performed) or "dissatisfied". Returns whether one
        failed (and the rest was left undone)."""
        clock, rng = self.clock, self.rng
        resolved_on = resolved_at.astimezone(SHANGHAI).date()
        last = resolved_at
        for day, term in self.schedule(kind, resolved_on):
            attempt_day = day
            if rng.random() < 0.1:
                attempt_day = clock.working_days_after_day(day, rng.randint(1, 2))
            at = max(clock.working_moment(attempt_day), last + MINUTE)
            method = (
                rng.choice((Method.HOME_VISIT, Method.ON_SITE))
                if term
                else rng.choice((Method.PHONE, Method.PHONE, Method.HOME_VISIT))
            )
            if rng.random() < 0.03:
                path.record(
                    FollowUpPlan(
                        at, actor, day, Method.PHONE, False, term=term,
                        notes=rng.choice(UNREACHABLE_NOTES),
                    )
                )  # fmt: skip
                retry_day = clock.working_days_after_day(at.astimezone(SHANGHAI).date(), 1)
                at = max(clock.working_moment(retry_day), at + MINUTE)
                method = Method.HOME_VISIT
            failing = (fail == "term" and term) or (fail == "dissatisfied" and not term)
            if failing:
                satisfaction = (
                    Satisfaction.DISSATISFIED
                    if fail == "dissatisfied"
                    else (Satisfaction.BASICALLY_SATISFIED)
                )
                notes = DISSATISFIED_NOTES if fail == "dissatisfied" else NOT_PERFORMED_NOTES
                path.record(
                    FollowUpPlan(
                        at, actor, day, method, True, satisfaction, term,
                        performed=fail != "term", notes=notes,
                    )
                )  # fmt: skip
                return True
            satisfaction = (
                Satisfaction.BASICALLY_SATISFIED if rng.random() < 0.15 else Satisfaction.SATISFIED
            )
            path.record(
                FollowUpPlan(
                    at, actor, day, method, True, satisfaction, term,
                    notes=rng.choice(FOLLOWUP_NOTES[satisfaction]),
                )
            )  # fmt: skip
            last = at
        return False
