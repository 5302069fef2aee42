"""Seeding the demo town says what it is doing: a line per stage, each month of the case
year with its counts, then the year's daily logs, in the centre's language; `--verbosity 0`
keeps quiet; a failure is told as what it is."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation
from pytest_django.fixtures import Settings

from fengqiao.areas.models import Area
from fengqiao.cases.models import Case
from fengqiao.core.errors import DomainError
from fengqiao.demo.cases import SMALL_YEAR
from fengqiao.demo.cases.plan import SHANGHAI
from fengqiao.demo.generator import TownPlan, build_plan, write_plan
from fengqiao.demo.management.commands import seed_demo as command
from fengqiao.demo.progress import Stage
from tests.fixtures import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

MONTHS = [(2025, 12)] + [(2026, month) for month in range(1, 12)]

# What each stage's line starts with, in order, in each language.
STAGES = {
    "zh-hans": [
        "已规划：",
        "镇村与账号：",
        "居民与单位：",
        *[f"{year}年{month}月：" for year, month in MONTHS],
        "民情日志：",
        "已更新数据库统计信息",
    ],
    "en": [
        "Planned: ",
        "Town and accounts: ",
        "Residents: ",
        *[f"{year}-{month:02d}: " for year, month in MONTHS],
        "Daily logs: ",
        "Database statistics gathered",
    ],
}
ELAPSED = {"zh-hans": r"^ *(\d+\.\d) 秒  (.*)$", "en": r"^ *(\d+\.\d) s  (.*)$"}


@pytest.fixture
def demo_password(settings: Settings) -> None:
    settings.FENGQIAO_DEMO_PASSWORD = DEMO_PASSWORD


def seed(*arguments: str) -> str:
    output = StringIO()
    call_command("seed_demo", "--small-year", *arguments, stdout=output)
    return output.getvalue()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_stage_has_its_line_in_order_with_the_seconds_so_far(demo_password, language):
    # when
    with translation.override(language):
        output = seed()

    # then the progress lines come first, one per stage, the seconds never going back
    lines = output.splitlines()
    progress = [re.match(ELAPSED[language], line) for line in lines[: len(STAGES[language])]]
    assert all(progress), lines
    messages = [match.group(2) for match in progress]
    starts = zip(messages, STAGES[language], strict=True)
    assert all(message.startswith(start) for message, start in starts), messages
    seconds = [float(match.group(1)) for match in progress]
    assert seconds == sorted(seconds)
    # and the summary follows, as before
    loaded = "演示镇已载入" if language == "zh-hans" else "Demo town loaded"
    assert lines[len(STAGES[language])].startswith(loaded)
    assert "grid01" in output


def test_a_month_line_counts_what_was_played_in_it(demo_password):
    with translation.override("en"):
        output = seed()

    (december,) = [line for line in output.splitlines() if "2025-12: " in line]
    registered = Case.objects.filter(received_at__lt=dt.datetime(2026, 1, 1, tzinfo=SHANGHAI))
    count = registered.count()
    assert count > 0
    assert f"2025-12: {count} cases registered ({count} of {Case.objects.count()})" in december


def test_verbosity_0_prints_nothing(demo_password):
    # when
    output = seed("--verbosity", "0")

    # then the town is there, and not a word was said
    assert Case.objects.count() == len(build_plan(2026, cases=SMALL_YEAR).cases)
    assert output == ""


def test_verbosity_0_still_gives_a_generated_password(settings: Settings):
    # given no password chosen beforehand
    settings.FENGQIAO_DEMO_PASSWORD = ""

    # when
    output = StringIO()
    call_command("seed_demo", "--no-cases", "--verbosity", "0", stdout=output)

    # then the password is the only line: without it nobody could sign in
    (line,) = output.getvalue().splitlines()
    assert re.search(r"Fq-\S+$", line)


def test_write_plan_reports_each_stage_and_the_months_add_up(small_year: TownPlan):
    # given
    heard: list[tuple[Stage, Mapping[str, Any]]] = []

    # when
    counts = write_plan(
        small_year, password=DEMO_PASSWORD, progress=lambda stage, done: heard.append((stage, done))
    )

    # then the town, the residents, then every month of the year in order
    stages = [stage for stage, _counts in heard]
    assert stages == [Stage.TOWN, Stage.RESIDENTS] + [Stage.MONTH] * len(MONTHS) + [Stage.LOGS]
    town, residents = heard[0][1], heard[1][1]
    assert town["areas"] == counts["areas"] and town["users"] == counts["users"]
    assert residents == {"persons": counts["persons"], "organizations": counts["organizations"]}
    months = [done for stage, done in heard if stage == Stage.MONTH]
    assert [(done["month"].year, done["month"].month) for done in months] == MONTHS
    # and what the months counted is what the plan holds
    cases = small_year.cases
    assert sum(done["cases"] for done in months) == len(cases) == counts["cases"]
    assert [done["registered"] for done in months] == sorted(done["registered"] for done in months)
    assert months[-1]["registered"] == months[-1]["total"] == len(cases)
    assert sum(done["steps"] for done in months) == sum(len(case.steps) for case in cases)
    assert sum(done["mediation"] + done["followups"] for done in months) == sum(
        len(case.records) for case in cases
    )
    assert sum(done["orders"] for done in months) == len(small_year.supervision)


def test_a_step_a_service_refuses_fails_the_seeding_as_itself(demo_password, monkeypatch):
    # given a plan one of whose steps the services refuse
    def refused(*args: Any, **kwargs: Any) -> None:
        raise DomainError("not_allowed", "You may not send this case to 王雪梅.")

    monkeypatch.setattr(command, "write_plan", refused)

    # when / then the refusal comes out, not "the town is already loaded"
    with pytest.raises(DomainError, match="王雪梅"):
        seed()
    assert not Area.objects.exists()
