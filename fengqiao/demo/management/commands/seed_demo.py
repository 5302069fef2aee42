"""Load the demo town 万泉镇 into an empty database."""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fengqiao.accounts.roles import Role
from fengqiao.areas.models import Area
from fengqiao.cases.models import Kind, Outcome
from fengqiao.core.errors import DomainError
from fengqiao.demo.cases import FULL_YEAR, SMALL_YEAR, CasePlan, SupervisionPlan
from fengqiao.demo.generator import (
    ALREADY_LOADED,
    DEFAULT_SEED,
    DEMO_ACCOUNTS,
    TownPlan,
    build_plan,
    write_plan,
)
from fengqiao.demo.progress import Stage
from fengqiao.jobs.maintenance import database_optimize
from fengqiao.supervision.models import OrderState, Origin


def generate_password() -> str:
    """A random password that the configured validators accept."""
    while True:
        candidate = "Fq-" + secrets.token_urlsafe(9)
        try:
            validate_password(candidate)
        except ValidationError:
            continue
        return candidate


class Command(BaseCommand):
    help = (
        "Load the demo town (areas, staff accounts, partners, residents) and its year of "
        "cases (1 Dec 2025 – 25 Nov 2026) into an empty database. The same seed always "
        "gives the same town and the same cases. Prints a line per stage as it goes "
        "(the town, the residents, each month of cases); --verbosity 0 prints only a "
        "generated password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Seed of the generator.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="When the database already holds areas, do nothing and exit successfully.",
        )
        cases = parser.add_mutually_exclusive_group()
        cases.add_argument(
            "--no-cases",
            action="store_true",
            help="Load the town only, without the year of cases.",
        )
        cases.add_argument(
            "--small-year",
            action="store_true",
            help="Load a small year of cases (about 70 instead of about 2,700): seconds, "
            "not a minute and more.",
        )

    def handle(
        self,
        *args: Any,
        seed: int,
        if_empty: bool,
        no_cases: bool,
        small_year: bool,
        verbosity: int,
        **options: Any,
    ) -> None:
        quiet = verbosity == 0
        if Area.objects.exists():
            self._already_loaded(if_empty, quiet=quiet)
            return
        password = settings.FENGQIAO_DEMO_PASSWORD
        generated = not password
        if generated:
            password = generate_password()
        else:
            try:
                validate_password(password)
            except ValidationError as error:
                raise CommandError(
                    _("FENGQIAO_DEMO_PASSWORD is not strong enough: %(reasons)s")
                    % {"reasons": " ".join(error.messages)}
                ) from None

        started = time.monotonic()
        say = self._progress_line(started, quiet=quiet)
        volume = None if no_cases else SMALL_YEAR if small_year else FULL_YEAR
        plan = build_plan(seed, cases=volume)
        say(plan_line(plan))
        try:
            counts = write_plan(
                plan, password=password, progress=lambda stage, done: say(stage_line(stage, done))
            )
        except DomainError as error:
            if error.code != ALREADY_LOADED:
                raise  # a service refused a step of the plan: that is a fault, not a race
            # Another process loaded the town between the check above and the write.
            self._already_loaded(if_empty, quiet=quiet)
            return
        database_optimize()  # the queue index needs statistics from the first page on
        say(_("Database statistics gathered"))
        elapsed = time.monotonic() - started

        if quiet:
            if generated:
                # The one thing that cannot be found again afterwards.
                self.stdout.write(
                    _("Password of every demo account (shown once, not stored): %(password)s")
                    % {"password": password}
                )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo town loaded with seed %(seed)d in %(seconds).1f s.")
                % {"seed": seed, "seconds": elapsed}
            )
        )
        self.stdout.write(
            _(
                "%(villages)d villages and communities, %(grids)d grids, %(units)d units; "
                "%(persons)d residents, %(organizations)d organisations; "
                "%(agencies)d linked agencies, %(mediation_organizations)d mediation "
                "organisations, %(categories)d case categories; %(users)d accounts."
            )
            % counts
        )
        if plan.cases:
            self.stdout.write(case_summary(plan.cases))
        if plan.supervision:
            self.stdout.write(supervision_summary(plan.supervision))
        if generated:
            self.stdout.write(
                _("Password of every demo account (shown once, not stored): %(password)s")
                % {"password": password}
            )
        else:
            self.stdout.write(_("Every demo account uses FENGQIAO_DEMO_PASSWORD."))
        self.stdout.write(_("Accounts:"))
        for account in DEMO_ACCOUNTS:
            self.stdout.write(
                f"  {account.username:<18} {Role(account.role).label} · {account.home_area_name}"
            )

    def _progress_line(self, started: float, *, quiet: bool) -> Callable[[str], None]:
        """Writes a stage's line after the seconds since `started`, at once (the output may
        be a pipe); nothing when `quiet`."""

        def say(message: str) -> None:
            if quiet:
                return
            self.stdout.write(
                _("%(seconds)6.1f s  %(message)s")
                % {"seconds": time.monotonic() - started, "message": message}
            )
            self.stdout.flush()

        return say

    def _already_loaded(self, if_empty: bool, *, quiet: bool) -> None:
        if if_empty:
            if not quiet:
                self.stdout.write(
                    _("The database already holds areas; the demo town is loaded only once.")
                )
            return
        raise CommandError(
            _(
                "The database already holds areas, so the demo town is not loaded. "
                "Use an empty database, or pass --if-empty to skip quietly."
            )
        )


def plan_line(plan: TownPlan) -> str:
    """What was decided before anything is written."""
    return _("Planned: %(persons)d residents, %(cases)d cases, %(orders)d supervision orders") % {
        "persons": len(plan.persons),
        "cases": len(plan.cases),
        "orders": len(plan.supervision),
    }


def stage_line(stage: Stage, counts: Mapping[str, Any]) -> str:
    """One stage of `write_plan`, as the centre reads it."""
    if stage == Stage.TOWN:
        return (
            _(
                "Town and accounts: %(areas)d areas, %(agencies)d linked agencies, "
                "%(mediation_organizations)d mediation organisations, %(users)d accounts"
            )
            % counts
        )
    if stage == Stage.RESIDENTS:
        return _("Residents: %(persons)d people, %(organizations)d organisations") % counts
    if stage == Stage.LOGS:
        return (
            _(
                "Daily logs: %(log_entries)d entries by %(log_writers)d writers, "
                "%(log_leave)d leave records, %(log_cases_linked)d entries linked to their cases"
            )
            % counts
        )
    month = counts["month"]
    return _(
        "%(month)s: %(cases)d cases registered (%(registered)d of %(total)d), "
        "%(steps)d handling steps, %(mediation)d mediation records, %(followups)d "
        "follow-ups, %(orders)d supervision orders"
    ) % {**counts, "month": _("%(year)d-%(month)02d") % {"year": month.year, "month": month.month}}


def case_summary(cases: tuple[CasePlan, ...]) -> str:
    """One line: cases by kind, disputes resolved, still open."""
    kinds = Counter(case.kind for case in cases)
    resolved = sum(case.kind == Kind.DISPUTE and case.is_resolved for case in cases)
    parts = []
    for kind in Kind:
        part = f"{kind.label} {kinds[kind]}"
        if kind == Kind.DISPUTE:
            part += f" ({Outcome.RESOLVED.label} {resolved})"
        parts.append(part)
    still_open = sum(case.is_open for case in cases)
    return f"{_('Cases')}: {len(cases)} = {', '.join(parts)}; {_('open')} {still_open}"


def supervision_summary(orders: tuple[SupervisionPlan, ...]) -> str:
    """One line: supervision orders by origin, and by state at the cut-off."""
    origins = Counter(order.origin for order in orders)
    states = Counter(order.state for order in orders)
    by_origin = ", ".join(f"{origin.label} {origins[origin]}" for origin in Origin)
    by_state = ", ".join(f"{state.label} {states[state]}" for state in OrderState)
    return f"{_('Supervision orders')}: {len(orders)} = {by_origin}; {by_state}"
