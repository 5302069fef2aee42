"""The `seed_demo` command: its password, its summary lines, and loading once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings

from fengqiao.accounts.models import User
from fengqiao.cases.models import Case
from fengqiao.demo.cases import FULL_YEAR
from fengqiao.demo.generator import DEMO_ACCOUNTS, TownPlan
from fengqiao.demo.management.commands.seed_demo import (
    case_summary,
    generate_password,
    supervision_summary,
)
from tests.fixtures import DEMO_PASSWORD


def test_the_generated_password_passes_the_validators() -> None:
    password = generate_password()
    validate_password(password)


def test_the_summary_line_counts_the_cases(plan: TownPlan) -> None:
    line = case_summary(plan.cases)
    assert str(len(plan.cases)) in line and "129" in line and "2332" in line


def test_the_summary_line_counts_the_supervision_orders(plan: TownPlan) -> None:
    line = supervision_summary(plan.supervision)
    assert str(len(plan.supervision)) in line and str(FULL_YEAR.leader_orders) in line


@pytest.mark.django_db
def test_the_command_loads_once_and_then_refuses(settings: Settings) -> None:
    # given
    settings.FENGQIAO_DEMO_PASSWORD = DEMO_PASSWORD
    output = StringIO()

    # when
    call_command("seed_demo", "--seed", "3", "--no-cases", stdout=output)

    # then
    assert "grid01" in output.getvalue()
    assert User.objects.count() == len(DEMO_ACCOUNTS)
    assert not Case.objects.exists()
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    quiet = StringIO()
    call_command("seed_demo", "--if-empty", stdout=quiet)
    assert User.objects.count() == len(DEMO_ACCOUNTS)
