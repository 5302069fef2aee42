"""A round's roll-up, summary and late list against a round counted by hand.

The named town, with a reporter added for grid A2, village B and unit B1, so that the
round of 1–15 March expects six reports: villages A and B, grids A1 and A2, units A1 and
B1 (grid B1 and unit A2 have nobody). Then:

| area      | expected | filed                          | when       | found                      |
|-----------|----------|--------------------------------|------------|----------------------------|
| village A | yes      | cadre A, findings              | on time    | a hazard (case), a dispute |
|           |          |                                |            | (case, later resolved)     |
| grid A1   | yes      | its grid worker, zero          | on time    |                            |
| grid A2   | yes      | its grid worker, zero          | late       |                            |
| unit A1   | yes      | its unit head, findings        | on time    | a hazard handled on spot   |
| village B | yes      | —                              | overdue    |                            |
| grid B1   | no       | cadre B on its behalf, zero    | late       |                            |
| unit B1   | yes      | —                              | overdue    |                            |
| unit A2   | no       | —                              | nobody     |                            |
"""

from __future__ import annotations

import pytest

from fengqiao.accounts.roles import Role
from fengqiao.cases.models import State
from fengqiao.screening import selectors
from tests.fixtures import (
    PATHS,
    ROUND_AFTER_DUE,
    ROUND_DURING,
    UserFactory,
    act,
    file_findings,
    file_zero,
    found_dispute,
    found_hazard,
    inputs_for,
    open_round,
)

pytestmark = pytest.mark.django_db

LATER = ROUND_AFTER_DUE.replace(hour=12)


@pytest.fixture
def counted(town, residents):
    UserFactory(username="grid_a2", roles=[Role.GRID_WORKER], home_area=town.grid_a2)
    cadre_b = UserFactory(username="cadre_b", roles=[Role.VILLAGE_CADRE], home_area=town.village_b)
    UserFactory(username="unit_b1", roles=[Role.UNIT_HEAD], home_area=town.unit_b1)
    screening_round = open_round(town)
    village = file_findings(
        town.user(Role.VILLAGE_CADRE),
        screening_round,
        [found_hazard(), found_dispute(residents["a1"], area=town.unit_a1)],
    )
    file_zero(town.user(Role.GRID_WORKER), screening_round)
    from fengqiao.accounts.models import User

    file_zero(User.objects.get(username="grid_a2"), screening_round, now=ROUND_AFTER_DUE)
    file_findings(
        town.user(Role.UNIT_HEAD),
        screening_round,
        [found_hazard(text="楼道堆物", handled_on_spot=True, handled_note="当场清理")],
    )
    file_zero(cadre_b, screening_round, town.grid_b1, now=ROUND_AFTER_DUE)
    dispute = village.findings.get(kind="dispute").case
    for role, action in PATHS[State.RESOLVED]:
        act(town.user(role), dispute, action, **inputs_for(action, town=town))
    return screening_round


def figures(levels):
    return {
        level.level: (
            level.expected,
            level.reported,
            level.on_time,
            level.late,
            level.not_yet,
            level.overdue,
            level.zero,
            level.with_findings,
            level.unassigned,
        )
        for level in levels
    }


def test_the_leader_s_roll_up_is_the_hand_count(town, counted):
    rollup = selectors.round_rollup(user=town.user(Role.LEADER), screening_round=counted, now=LATER)

    # expected, reported, on time, late, not yet, overdue, zero, with findings, nobody
    assert figures(rollup.levels) == {
        2: (2, 1, 1, 0, 1, 1, 0, 1, 0),
        3: (2, 3, 1, 2, 0, 0, 3, 0, 0),
        4: (2, 1, 1, 0, 1, 1, 0, 1, 1),
    }
    found = rollup.findings
    assert (found.found, found.cases, found.handled_on_spot, found.resolved) == (3, 2, 1, 1)
    assert [(state, count) for state, _label, count in found.case_states] == [
        (State.REPORTED, 1),
        (State.RESOLVED, 1),
    ]
    assert rollup.totals.expected == 6 and rollup.totals.reported == 5


def test_the_tree_runs_villages_to_grids_to_units_with_their_status(town, counted):
    tree = selectors.round_tree(user=town.user(Role.LEADER), screening_round=counted, now=LATER)

    def shape(nodes):
        return [
            (node.area.name, node.status, node.findings, shape(node.children)) for node in nodes
        ]

    assert shape(tree) == [
        (
            "东村",
            "on_time",
            2,
            [
                ("东村一网格", "on_time", 0, [("东村1组", "on_time", 1, [])]),
                ("东村二网格", "late", 0, []),
            ],
        ),
        ("西村", "overdue", 0, [("西村一网格", "late", 0, [("西村1组", "overdue", 0, [])])]),
    ]


def test_a_village_cadre_counts_only_the_village(town, counted):
    rollup = selectors.round_rollup(
        user=town.user(Role.VILLAGE_CADRE), screening_round=counted, now=LATER
    )

    assert figures(rollup.levels) == {
        2: (1, 1, 1, 0, 0, 0, 0, 1, 0),
        3: (2, 2, 1, 1, 0, 0, 2, 0, 0),
        4: (1, 1, 1, 0, 0, 0, 0, 1, 1),
    }
    assert rollup.findings.found == 3
    assert [node.area.name for node in rollup.tree] == ["东村"]


def test_the_summary_counts_findings_by_category_and_kind(town, counted):
    summary = selectors.round_summary(user=town.user(Role.LEADER), round_id=counted.pk, now=LATER)

    assert [
        (row.category, row.found, row.cases, row.handled_on_spot, row.resolved)
        for row in summary.by_category
    ] == [("其他", 2, 1, 1, 0), ("邻里纠纷", 1, 1, 0, 1)]
    assert [(kind, count) for kind, _label, count in summary.by_kind] == [
        ("dispute", 1),
        ("hazard", 2),
    ]
    assert (summary.totals.expected, summary.totals.late, summary.totals.overdue) == (6, 2, 2)


def test_the_late_list_puts_the_missing_first_then_the_late(town, counted):
    rows = selectors.late_reporters(user=town.user(Role.LEADER), now=LATER)

    assert [(row.report.area.name, row.filed) for row in rows] == [
        ("西村", False),
        ("西村1组", False),
        ("东村二网格", True),
        ("西村一网格", True),
    ]
    assert [person.username for person in rows[0].reporters] == ["cadre_b"]
    assert selectors.late_count(user=town.user(Role.LEADER), now=LATER) == 2
    assert selectors.late_count(user=town.user(Role.LEADER), now=ROUND_DURING) == 0


def test_a_grid_worker_of_the_other_village_sees_nothing_of_village_a(town, counted):
    grid_b = UserFactory(username="west", roles=[Role.GRID_WORKER], home_area=town.grid_b1)

    rollup = selectors.round_rollup(user=grid_b, screening_round=counted, now=LATER)

    assert [node.area.name for node in rollup.tree] == ["西村一网格"]
    assert rollup.findings.found == 0
    assert (
        not selectors.report_list_for_user(user=grid_b)
        .filter(area_path__startswith=town.village_a.path)
        .exists()
    )
