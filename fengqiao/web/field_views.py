"""The grid worker's phone-first home (`/field/`): today's to-do from the apps that set
the day's work (the daily log, the cases in hand, follow-ups, screening), with the large
上报 and 写民情日志 buttons. It lives in the shell because it reads apps that sit side by
side and do not read each other (gridops, followups, screening); the field pages
themselves are gridops'.

Grid workers and unit heads land here after signing in (`LoginView`); everyone else
lands on the site's home as before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Role
from fengqiao.cases.selectors import QueueFilter, case_queue
from fengqiao.core import clock
from fengqiao.followups import selectors as followups
from fengqiao.gridops import selectors as gridops
from fengqiao.gridops.views import field_context
from fengqiao.screening.selectors import reports_due_for
from fengqiao.web.case_views import deadline_status, format_moment
from fengqiao.workcal.selectors import calendar_load

# Who starts the day on the field home.
FIELD_LANDING_ROLES = frozenset({Role.GRID_WORKER, Role.UNIT_HEAD})
# How many of each kind of to-do the home lists (the rest are one tap away).
TODO_LIMIT = 5


def landing_url(user: Any) -> str:
    if jurisdiction.roles_of(user) & FIELD_LANDING_ROLES:
        return reverse("field_home")
    return reverse("home")


class LoginView(auth_views.LoginView):
    """Django's sign-in page; without a `next`, each role lands on its own start page."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)


@dataclass
class ScreeningDue:
    title: str
    area: str
    due_at: dt.datetime
    overdue: bool
    url: str


def screening_due(user: Any) -> list[ScreeningDue]:
    """The screening reports due from the user's own area (their village, grid or unit),
    not yet filed, nearest deadline first; an overdue one is still accepted, marked late."""
    return [
        ScreeningDue(
            title=due.title,
            area=due.due_area.name,
            due_at=due.due_at,
            overdue=due.overdue,
            url=reverse("screening_area", args=[due.pk, due.due_area.pk]),
        )
        for due in reports_due_for(user)
    ]


def _cases_due(user: Any, now: Any) -> tuple[list[dict[str, Any]], int]:
    queue = case_queue(user=user, filters=QueueFilter(scope="mine"), now=now)
    calendar = calendar_load()
    rows = [
        {
            "case": case,
            "deadline": deadline_status(case, calendar, now),
            "due_text": format_moment(case.due_at),
        }
        for case in queue.select_related("category", "area")[:TODO_LIMIT]
    ]
    return rows, queue.count()


@require_GET
def field_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not gridops.field_allowed(user):
        jurisdiction.deny(user, what="field.home")
    now, today = clock.now(), clock.today()
    cases, case_count = _cases_due(user, now)
    due_followups = followups.followup_queue(
        user=user, filters=followups.QueueFilter(bucket="all", mine=True), today=today
    ).filter(due_on__lte=today)
    return render(
        request,
        "web/field_home.html",
        {
            **field_context(request),
            "log": gridops.log_today(user=user, today=today, calendar=calendar_load()),
            "cases": cases,
            "case_count": case_count,
            "followups": list(due_followups[:TODO_LIMIT]),
            "followup_count": due_followups.count(),
            "screenings": screening_due(user),
            "today": today,
            "area": user.home_area,
        },
    )
