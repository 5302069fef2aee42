"""The reference lists a client needs to fill in a case (categories, areas, teams,
agencies) and the working-day calendar's due date."""

import pytest

from fengqiao.cases.models import CaseCategory
from fengqiao.core import clock
from tests.fixtures import as_, assert_error, property_team, shanghai

pytestmark = pytest.mark.django_db


# Monday 29 September 2025, 10:00 in Shanghai: the National Day holidays (1–8 October)
# lie ahead, Saturday 11 October is an adjusted working day.
NOW = shanghai(2025, 9, 29, 10, 0)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


# --------------------------------------------------------------------------- calendar
@pytest.mark.parametrize(
    ("start", "days", "due_at", "provisional"),
    [
        # National Day 2025: 1–8 October off, Saturday 11 October worked.
        ("2025-09-30T10:00:00+08:00", 3, "2025-10-11T23:59:59+08:00", False),
        # 16:30 UTC on 10 October is 00:30 on Saturday 11 October in Shanghai: the day of
        # receipt is the 11th, so the next working day is Monday the 13th.
        ("2025-10-10T16:30:00Z", 1, "2025-10-13T23:59:59+08:00", False),
        ("2025-10-10T15:30:00Z", 1, "2025-10-11T23:59:59+08:00", False),
        # A year the calendar does not know yet: Monday to Friday, marked provisional.
        ("2031-03-03T09:00:00+08:00", 2, "2031-03-05T23:59:59+08:00", True),
        # An unescaped "+" in a query string arrives as a space.
        ("2025-09-30T10:00:00 08:00", 3, "2025-10-11T23:59:59+08:00", False),
    ],
)
def test_calendar_due(town, start, days, due_at, provisional):
    response = as_(town, "leader").get("/calendar/due", {"start": start, "working_days": days})

    assert response.status_code == 200, response.content
    assert response.json() == {"due_at": due_at, "provisional": provisional}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "30/09/2025 10:00", "working_days": 3}, "start"),
        ({"start": "2025-09-30T10:00:00", "working_days": 3}, "start"),
        ({"start": "2025-09-30", "working_days": 3}, "start"),
        ({"start": "2025-09-30T10:00:00+08:00", "working_days": -1}, "working_days"),
        ({"start": "2025-09-30T10:00:00+08:00", "working_days": 100_000}, "working_days"),
        ({"working_days": 3}, "start"),
    ],
)
def test_calendar_due_refuses_bad_input(town, params, field):
    assert_error(as_(town, "leader").get("/calendar/due", params), 400, "invalid", field)


# --------------------------------------------------------------------------- reference
def test_reference_lists(town):
    property_team(town)
    api = as_(town, "grid_worker")

    categories = api.get("/categories").json()
    areas = api.get("/areas").json()

    assert "property" in {c["code"] for c in categories}
    assert {a["name"] for a in areas} == {"东村一网格", "东村1组"}
    assert [a["name"] for a in api.get("/areas", {"q": "1组"}).json()] == ["东村1组"]
    assert [a["name"] for a in api.get("/areas", {"parent_id": town.grid_a1.pk}).json()] == [
        "东村1组"
    ]
    assert api.get("/areas", {"parent_id": town.village_b.pk}).json() == []
    assert [t["name"] for t in api.get("/teams").json()] == ["物业纠纷调解队"]
    assert [a["name"] for a in api.get("/agencies").json()] == ["枫桥人民法庭"]


def test_inactive_categories_are_not_offered(town):
    CaseCategory.objects.filter(code="other").update(is_active=False)
    codes = {c["code"] for c in as_(town, "leader").get("/categories").json()}
    assert "other" not in codes and "property" in codes
