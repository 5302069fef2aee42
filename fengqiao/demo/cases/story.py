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
    CasePlan,
    Handler,
    PartyPlan,
    StepPlan,
)

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
            at(2, 15, 0),
            head,
            "record_milestone",
            State.IN_PROGRESS,
            note=(
                "在3号楼前组织人民调解（邻里调），田秀兰、物业公司项目经理、社区网格员孙悦参加。"
                "物业公司承认未及时回应业主诉求，同意修剪；已向田秀兰反馈调解结果。"
            ),
        ),
        StepPlan(
            at(2, 16, 30),
            head,
            "resolve",
            State.RESOLVED,
            outcome=Outcome.RESOLVED,
            note=(
                "调解成功，双方达成协议：一、物业公司于2026年5月25日前修剪3号楼前杨树、柳树，"
                "枝条修至不遮挡窗户与阳台；二、此后每年春、秋两季各修剪一次，纳入小区绿化长效养护"
                "计划，由社区监督落实；三、田秀兰今后发现遮挡可直接向物业报修。双方签订人民调解协议书。"
            ),
        ),
        StepPlan(
            at(16, 10, 0),
            "clerk",
            "close",
            State.CLOSED,
            note="回访：5月26日网格员孙悦入户回访，物业已按约完成修剪，田秀兰家窗户、阳台采光恢复，当事人满意。予以办结归档。",
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
    )
