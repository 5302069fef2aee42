"""Load the demo town 万泉镇 into an empty database."""

from __future__ import annotations

import secrets
import time
from collections import Counter
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
from fengqiao.demo.cases import FULL_YEAR, CasePlan, SupervisionPlan
from fengqiao.demo.generator import DEFAULT_SEED, DEMO_ACCOUNTS, build_plan, write_plan
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
        "gives the same town and the same cases."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Seed of the generator.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="When the database already holds areas, do nothing and exit successfully.",
        )
        parser.add_argument(
            "--no-cases",
            action="store_true",
            help="Load the town only, without the year of cases.",
        )

    def handle(self, *args: Any, seed: int, if_empty: bool, no_cases: bool, **options: Any) -> None:
        if Area.objects.exists():
            self._already_loaded(if_empty)
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
        plan = build_plan(seed, cases=None if no_cases else FULL_YEAR)
        try:
            counts = write_plan(plan, password=password)
        except DomainError:
            # Another process loaded the town between the check above and the write.
            self._already_loaded(if_empty)
            return
        database_optimize()  # the queue index needs statistics from the first page on
        elapsed = time.monotonic() - started

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

    def _already_loaded(self, if_empty: bool) -> None:
        if if_empty:
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
