"""Emergency pages: the case panel, the list of the emergencies one oversees, "I have it".

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

from fengqiao.accounts import jurisdiction
from fengqiao.cases.models import Case, Kind
from fengqiao.cases.selectors import case_list_for_user
from fengqiao.core import clock
from fengqiao.emergency import selectors, services

PAGE_SIZE = 20


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
    """The emergencies the reader oversees: open ones, then those finished lately."""
    user = request.user
    if not selectors.emergency_page_allowed(user):
        jurisdiction.deny(user, what="emergency_list")
    now = clock.now()
    open_page = Paginator(selectors.emergency_open_for_user(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    finished_page = Paginator(
        selectors.emergency_recently_finished_for_user(user=user, now=now), PAGE_SIZE
    ).get_page(request.GET.get("finished"))
    open_linkages = selectors.emergency_linkages(open_page, now=now)
    finished_linkages = selectors.emergency_linkages(finished_page, now=now)
    # A liaison oversees what was sent to the agency, but opens only the cases given to it.
    case_ids = [linkage.dispatch.case_id for linkage in [*open_linkages, *finished_linkages]]
    may_open = set(
        case_list_for_user(user=user).filter(pk__in=case_ids).values_list("pk", flat=True)
    )
    return render(
        request,
        "emergency/list.html",
        {
            "open_page": open_page,
            "open_items": [_item(linkage, user, may_open) for linkage in open_linkages],
            "finished_page": finished_page,
            "finished_items": [_item(linkage, user, may_open) for linkage in finished_linkages],
            "recent_days": selectors.RECENT_DAYS,
        },
    )


def _item(linkage: selectors.Linkage, user: Any, may_open: set[int]) -> dict[str, Any]:
    case = linkage.dispatch.case
    return {
        "case": case,
        "linkage": linkage,
        "mine": linkage.recipient(user.pk),
        "may_open": case.pk in may_open,
        "told": len(linkage.acknowledged) + len(linkage.waiting),
    }


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
