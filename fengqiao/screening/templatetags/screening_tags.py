"""The screening section of the home page: the reports due from the reader's own area,
and for those who chase them, the areas past the deadline without a report."""

from __future__ import annotations

from typing import Any

from django import template

from fengqiao.core import clock
from fengqiao.screening import selectors

register = template.Library()


@register.inclusion_tag("screening/_home.html", takes_context=True)
def screening_home(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    if not selectors.can_see_screening(user):
        return {"shown": False}
    now = clock.now()
    due = selectors.reports_due_for(user, now=now)
    chases = selectors.may_see_late_list(user)
    late = selectors.late_count(user=user, now=now) if chases else 0
    return {"shown": bool(due or late), "due": due, "late": late}
