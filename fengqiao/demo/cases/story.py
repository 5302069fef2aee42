"""The walkthrough of the seed as a demo case: 田秀兰's windows shaded by untrimmed trees."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fengqiao.cases.models import Channel, Grade, Kind, Outcome, PartyRole, State
from fengqiao.demo import data
from fengqiao.demo.cases import texts as text
from fengqiao.demo.cases.plan import (
    SHANGHAI,
    STORY_KEY,
    STORY_RECEIVED_AT,
    AgreementPlan,
    CasePlan,
    FollowUpPlan,
    Handler,
    MediationStartPlan,
    PartyPlan,
    SessionPlan,
    SignaturePlan,
    StepPlan,
    TermPlan,
)
from fengqiao.followups.models import Method, Satisfaction
from fengqiao.mediation.models import Setting

if TYPE_CHECKING:
    from fengqiao.demo.cases.town import TownView


def story_case(town: TownView) -> CasePlan:
    """The walkthrough of the seed, step by step (see the package's description)."""
    (unit,) = [u for u in town.all_units if u.name == data.STORY_UNIT_NAME]
    tian = town.plan.persons[town.story_person]
    team, head = town.team_by_category["property"]
    day = STORY_RECEIVED_AT.date()

    def at(days: int, hour: int, minute: int) -> dt.datetime:
        return dt.datetime.combine(
            day + dt.timedelta(days=days), dt.time(hour, minute), tzinfo=SHANGHAI
        )

    steps = (
        StepPlan(
            at(0, 10, 5),
            "clerk",
            "accept",
            State.ACCEPTED,
            note="经核实，属一般物业纠纷，予以受理。",
        ),
        StepPlan(
            at(0, 10, 40),
            "dispatcher",
            "dispatch",
            State.DISPATCHED,
            handler=Handler("team", team),
            note="派物业纠纷调解队办理，请三个工作日内向当事人反馈。",
        ),
        StepPlan(at(0, 14, 10), head, "acknowledge", State.ACKNOWLEDGED),
        StepPlan(
            at(1, 9, 30),
            head,
            "start",
            State.IN_PROGRESS,
            note="调解队到万泉佳苑B区现场查看树木遮挡情况，约请物业公司负责人次日到场调解。",
        ),
        StepPlan(
            at(2, 16, 40),
            head,
            "resolve",
            State.RESOLVED,
            outcome=Outcome.RESOLVED,
            note=text.STORY_RESOLUTION,
        ),
        StepPlan(at(35, 10, 0), "clerk", "close", State.CLOSED, note=text.STORY_CLOSE),
    )
    # The follow-ups fall on the days the policy gives: 7 days after the result (20 May),
    # the term's deadline (25 May, visited the day after) and 30 days after (12 June).
    worker = unit.grid.worker
    pruned_by = day + dt.timedelta(days=14)
    records = (
        MediationStartPlan(at(1, 9, 40), head, team, (head,)),
        SessionPlan(
            at(2, 16, 5),
            head,
            held_at=at(2, 15, 0),
            place=text.STORY_PLACE,
            setting=Setting.ON_SITE,
            minutes=text.STORY_MINUTES,
            others_present=text.STORY_OTHERS_PRESENT,
        ),
        AgreementPlan(
            at(2, 16, 15),
            head,
            made_on=day + dt.timedelta(days=2),
            facts=text.STORY_FACTS,
            matters=text.STORY_MATTERS,
            terms=(
                TermPlan(
                    obligor=PartyRole.RESPONDENT,
                    content=text.STORY_TERM,
                    manner=text.STORY_TERM_MANNER,
                    due_on=pruned_by,
                    recurring=text.STORY_UPKEEP,
                ),
            ),
        ),
        SignaturePlan(at(2, 16, 20), head, day + dt.timedelta(days=2), party=PartyRole.APPLICANT),
        SignaturePlan(at(2, 16, 22), head, day + dt.timedelta(days=2), party=PartyRole.RESPONDENT),
        SignaturePlan(at(2, 16, 25), head, day + dt.timedelta(days=2), mediator=head),
        FollowUpPlan(
            at(9, 10, 30),
            worker,
            day + dt.timedelta(days=9),
            Method.PHONE,
            True,
            Satisfaction.SATISFIED,
            notes=text.STORY_FOLLOWUPS[0],
        ),
        FollowUpPlan(
            at(15, 9, 50),
            worker,
            pruned_by,
            Method.HOME_VISIT,
            True,
            Satisfaction.SATISFIED,
            term=1,
            performed=True,
            notes=text.STORY_FOLLOWUPS[1],
        ),
        FollowUpPlan(
            at(32, 15, 20),
            worker,
            day + dt.timedelta(days=32),
            Method.PHONE,
            True,
            Satisfaction.SATISFIED,
            notes=text.STORY_FOLLOWUPS[2],
        ),
    )
    return CasePlan(
        key=STORY_KEY,
        kind=Kind.DISPUTE,
        grade=Grade.GENERAL,
        category="property",
        channel=Channel.GRID_REPORT,
        title=text.STORY_TITLE,
        account=text.STORY_ACCOUNT,
        area_code=unit.code,
        address=tian.address,
        latitude=unit.latitude,
        longitude=unit.longitude,
        people_involved=1,
        amount_involved=None,
        reporter=unit.grid.worker,
        received_at=STORY_RECEIVED_AT,
        parties=(
            PartyPlan(PartyRole.APPLICANT, person=town.story_person),
            PartyPlan(PartyRole.RESPONDENT, organization=data.PROPERTY_COMPANY_NAME),
        ),
        steps=steps,
        records=records,
    )
