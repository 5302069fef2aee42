"""Emergency pages: the case panel, the list of what one was told of, "I have it".

Thin: reads through `emergency.selectors`, writes through `emergency.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.cases.models import Case, Kind
from fengqiao.core import clock
from fengqiao.emergency import selectors, services


def case_panel_context(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """The panel on the case page (which has checked that the reader may open the case)."""
    if case.kind != Kind.EMERGENCY:
        return None
    linkage = selectors.emergency_linkage(case=case, now=clock.now())
    if linkage is None:
        return {"case": case, "linkage": None, "mine": None}
    return {"case": case, "linkage": linkage, "mine": linkage.recipient(request.user.pk)}


@require_GET
def emergency_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.emergency_told_list_for_user(user=request.user), 25).get_page(
        request.GET.get("page")
    )
    now = clock.now()
    for row in page:
        row.elapsed = selectors.duration_text(
            selectors.minutes_between(row.told_at, row.acknowledged_at or now)
        )
    return render(request, "emergency/list.html", {"page": page})


@require_POST
def emergency_acknowledge(request: HttpRequest, case_id: int) -> HttpResponse:
    row = services.emergency_acknowledge(
        actor=request.user, case_id=case_id, note=request.POST.get("note", "")
    )
    messages.success(
        request, _("Recorded: you have %(number)s in hand.") % {"number": row.dispatch.case.number}
    )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("emergency_list")
