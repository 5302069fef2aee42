"""A year of cases in the demo town, played through the case services.

The demo year runs from 1 December 2025 to 25 November 2026 (`YEAR_START`, `CUTOFF`), a
fixed period so that a seed always gives the same cases. `plan_cases` decides
everything — which matters come in, when, from whom, and every later step of each, with
its time — from a generator seeded by the town's seed, and touches no database.
`write_cases` then plays the steps in time order through `case_create` and `case_act`,
each with `now=` set to the step's time, so numbers, timelines, deadlines and the audit
trail are exactly what the services make of them. Between the steps it plays each case's
records (`mediating` draws them): a dispute handled by a committee or a specialised team
is mediated through the mediation services (the mediation started, sessions with place,
setting and minutes, the agreement with its terms, written and signed or now and then
oral, a few sent to court for judicial confirmation) and its result is the mediation's
outcome; every handled case is followed up (回访) through the follow-up services on the
days the centre's policy gives, before it is closed. Most parties are satisfied, some
basically satisfied, a few are not reached at first; twice a follow-up finds the
agreement not kept and a leader reopens the case, which is mediated again.

The shape follows the seed's town: 134 disputes received in the year and 129 of them
resolved (化解) and closed; 2,332 demands from daily logs, the 12345 hotline and the
other channels, most of them closed; consultations, hazards and a few emergencies. At
the cut-off some cases stand open in every open state, some past their deadline, some
due in the next days, a few waiting for a decision on an extension.

The walkthrough of the seed is one of the disputes, with stable facts (`STORY_KEY`):
grid worker 孙悦 (grid01) reports on 11 May 2026 that the poplars and willows in front
of 田秀兰's building in 万泉佳苑B区 shade her windows and balcony, which the property
company has ignored; the clerk 李婷 accepts it as a general property dispute, the
dispatcher sends it to the property team (物业纠纷调解队, head 刘建国 = mediator01),
who mediates on site on 13 May (the minutes keep the dialogue); the agreement, signed
by 田秀兰, the company and the mediator, has the company prune by 25 May and trim every
spring and autumn from then on; the grid worker follows up on 20 May by phone, visits on
26 May and finds the trees pruned and 田秀兰 satisfied, calls again on 12 June, and the
case is closed on 15 June.

At the cut-off one resolved dispute still awaits its 30-day follow-up: its agreement's
window for judicial confirmation closes in the week after the demo's "now", so the
warning shows; recently handled matters have follow-ups due today or overdue.

Supervision orders (督办) run through the year with the cases (`supervising` draws them,
from a generator of their own so that the cases stay as they are): the deadline sweep's,
raised the minute a case's deadline passed, and the leader's on important disputes and
demands that dragged, at the three levels. Most are answered in time and closed by the
leader; a few answers come late, after the escalation pass moved the order up; two are
withdrawn; at the cut-off some await a reply, one of them overdue, and one awaits review.
"""

from fengqiao.demo.cases.plan import (
    CUTOFF,
    FULL_YEAR,
    OPEN_STATES_SHOWN,
    REFERENCE_NOW,
    SMALL_YEAR,
    STORY_KEY,
    STORY_RECEIVED_AT,
    YEAR_END,
    YEAR_START,
    CasePlan,
    CaseVolume,
    Handler,
    PartyPlan,
    StepPlan,
    SupervisionPlan,
    SupervisionStepPlan,
)
from fengqiao.demo.cases.planner import plan_cases
from fengqiao.demo.cases.supervising import plan_supervision
from fengqiao.demo.cases.writing import CaseRefs, write_cases

__all__ = [
    "CUTOFF",
    "FULL_YEAR",
    "OPEN_STATES_SHOWN",
    "REFERENCE_NOW",
    "SMALL_YEAR",
    "STORY_KEY",
    "STORY_RECEIVED_AT",
    "YEAR_END",
    "YEAR_START",
    "CasePlan",
    "CaseRefs",
    "CaseVolume",
    "Handler",
    "PartyPlan",
    "StepPlan",
    "SupervisionPlan",
    "SupervisionStepPlan",
    "plan_cases",
    "plan_supervision",
    "write_cases",
]
