"""The daily log's pages, and the field pages a grid worker's phone keeps for going offline.

- the field pages (`/field/report/`, `/field/log/new/`, with the shell's `/field/` home):
  drawn here and kept by the service worker; their script queues what is captured in
  IndexedDB and sends it to the API (`/api/v1/field/reports`, `/api/v1/logs`) with the
  session, a fresh CSRF token (`field_csrf`) and the item's own Idempotency-Key;
- `/sw.js`, the service worker (`service_worker`), and the page it shows offline;
- `/logs/` (one's own entries, and one's area's), an entry with its photos and the one
  step to a case, the compliance page with its Excel export, and leave.

Thin: every change goes through `gridops.services`, every read through
`gridops.selectors`, which start from what the user may see; outside it is a 404.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability
from fengqiao.areas.models import subtree_q
from fengqiao.audit.services import audit_record
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.gridops import selectors, services
from fengqiao.gridops.exports import compliance_xlsx
from fengqiao.gridops.forms import (
    PERIODS,
    ComplianceForm,
    ExcuseForm,
    LogEntryForm,
    LogFilterForm,
    QuickReportForm,
    ToCaseForm,
)
from fengqiao.gridops.models import Finding, LogEntry
from fengqiao.people.selectors import person_search
from fengqiao.ui.downloads import download_response, stored_file_response
from fengqiao.ui.forms import apply_domain_error
from fengqiao.workcal.selectors import calendar_load

PAGE_SIZE = 25
SEARCH_LIMIT = 8
# Longest side of a photo once the phone has shrunk it before sending.
PHOTO_MAX_SIDE = 1600


def _require(allowed: bool, request: HttpRequest, what: str) -> None:
    if not allowed:
        jurisdiction.deny(request.user, what=what)


# --------------------------------------------------------------------------- field pages
# What the service worker keeps for going offline: the field pages and what they load.
# The static files are named through `static`, so the hashed names of production are kept.
FIELD_PAGES = ("field_home", "field_report", "field_log_new", "field_offline")
FIELD_ASSETS = (
    "web/fengqiao.css",
    "gridops/gridops.css",
    "vendor/htmx/htmx.min.js",
    "web/fengqiao.js",
    "vendor/idb-keyval/umd.js",
    "gridops/field.js",
)


def _field_text() -> dict[str, str]:
    """The words the field pages' script says, in the user's language ({name} is filled
    in by the script)."""
    return {
        "kindReport": _("Quick report"),
        "kindLog": _("Daily log entry"),
        "photos": _("photos: {n}"),
        "waiting": _("Waiting to be sent."),
        "retry": _("The server could not take it just now; it is tried again later."),
        "refused": _("Not accepted: correct it and send it again."),
        "refusedUnknown": _("Not accepted (status {status})."),
        "signIn": _("Waiting: sign in again to send it."),
        "otherUser": _("Captured by {name}: sent when they sign in on this phone."),
        "edit": _("Correct it"),
        "resend": _("Send again"),
        "discard": _("Discard"),
        "confirmDiscard": _("Discard this item? It has not been sent and cannot be recovered."),
        "open": _("See it"),
        "nothingWaiting": _("Nothing is waiting."),
        "countWaiting": _("Waiting to be sent: {n}."),
        "offlineWaiting": _("No network: kept on this phone, sent when the network returns."),
        "signInToSend": _("Your session has ended: sign in again to send what is waiting."),
        "signInLink": _("Sign in"),
        "sending": _("Sending…"),
        "sentReport": _("Reported: case {number}."),
        "sentLog": _("Daily log entry saved."),
        "saved": _("Kept on this phone; it is sent as soon as the network allows."),
        "notSaved": _("This phone could not keep it; try again."),
        "noStorage": _("This browser cannot keep anything offline: use it only with network."),
        "notAPhoto": _("{name} is not a photo."),
        "removePhoto": _("Remove the photo"),
        "removeResident": _("Remove {name}"),
        "locating": _("Finding the position…"),
        "positionTaken": _("Position obtained (within {metres} m)."),
        "positionKept": _("Position obtained."),
        "noPosition": _("No position: allow location, or leave it out."),
        "correct": _("Please correct the fields marked below."),
        "required": _("This field is required."),
        "updatedAt": _("As of {time}"),
        "searchOffline": _("Finding residents needs the network; name them in the text."),
    }


def field_context(request: HttpRequest) -> dict[str, Any]:
    """What every field page hands its script (through `json_script`): who is signed in
    (an item captured by one user is never sent as another's), where to send, and where
    the service worker is."""
    user = request.user
    return {
        "field_data": {
            "user": user.pk,
            "userName": str(user),
            "swUrl": reverse("service_worker"),
            "csrfUrl": reverse("field_csrf"),
            "loginUrl": reverse("login"),
            "endpoints": {"report": "/api/v1/field/reports", "log": "/api/v1/logs"},
            "forms": {"report": reverse("field_report"), "log": reverse("field_log_new")},
            "results": {"report": "/cases/{id}/", "log": "/logs/{id}/"},
            "photoMaxSide": PHOTO_MAX_SIDE,
            "maxDaysBack": selectors.log_policy().max_days_back,
            "text": _field_text(),
        },
        "rendered_at": timezone.localtime(clock.now()),
    }


@require_GET
def field_report(request: HttpRequest) -> HttpResponse:
    """A quick report from the field: a hazard or a demand in four things."""
    _require(selectors.field_allowed(request.user), request, "field.report")
    shown, folded = selectors.quick_categories()
    form = QuickReportForm(shown=shown, folded=folded)
    return render(
        request,
        "gridops/report.html",
        {
            **field_context(request),
            "form": form,
            "shown": [(c.pk, c.name) for c in shown],
            "folded": [(c.pk, c.name) for c in folded],
        },
    )


@require_GET
def field_log_new(request: HttpRequest) -> HttpResponse:
    _require(selectors.field_allowed(request.user), request, "field.log")
    return render(
        request,
        "gridops/log_new.html",
        {**field_context(request), "form": LogEntryForm(user=request.user)},
    )


@login_not_required
@require_GET
def field_offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page it does not keep, with no network."""
    return render(request, "gridops/offline.html")


@login_not_required
@require_GET
def field_csrf(request: HttpRequest) -> JsonResponse:
    """A fresh CSRF token for the phone's queue, read just before it sends; 401 when the
    session has ended (the items wait until the user signs in again)."""
    if not request.user.is_authenticated:
        response = JsonResponse({"signed_in": False}, status=401)
    else:
        response = JsonResponse({"signed_in": True, "token": get_token(request)})
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, at the root so that it may serve the field pages; never cached
    by the browser's HTTP cache, so a new version is found at the next visit."""
    pages = [reverse(name) for name in FIELD_PAGES]
    assets = [static(path) for path in FIELD_ASSETS]
    version = hashlib.sha256(json.dumps([pages, assets]).encode()).hexdigest()[:12]
    response = render(
        request,
        "gridops/sw.js",
        {
            "config": json.dumps(
                {
                    "version": version,
                    "pages": pages,
                    "assets": assets,
                    "offline": reverse("field_offline"),
                    "login": reverse("login"),
                    "never": ["/api/", "/admin/", reverse("field_csrf")],
                }
            )
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "max-age=0"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def log_resident_search(request: HttpRequest) -> HttpResponse:
    """Residents met, found by full ID number, phone or name (masked), for the entry form."""
    _require(selectors.field_allowed(request.user), request, "log.resident_search")
    text = request.GET.get("q", "").strip()[:50]
    people = list(person_search(user=request.user, text=text)[:SEARCH_LIMIT]) if text else []
    return render(
        request, "gridops/_resident_results.html", {"people": people, "searched": bool(text)}
    )


# --------------------------------------------------------------------------- the log
SCOPE_MINE, SCOPE_AREA = "mine", "area"


@require_GET
def log_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require(selectors.log_pages_allowed(user), request, "log.list")
    sees_area = jurisdiction.can(user, Capability.VIEW_AREA_CASES)
    writes = selectors.field_allowed(user)
    form = LogFilterForm(request.GET or None, user=user)
    data = form.valid_data()
    default_scope = SCOPE_MINE if writes or not sees_area else SCOPE_AREA
    scope = data.get("scope") or default_scope
    if not sees_area:
        scope = SCOPE_MINE
    rows = selectors.log_list_for_user(user=user)
    if scope == SCOPE_MINE:
        rows = rows.filter(author=user)
    if data.get("since"):
        rows = rows.filter(occurred_on__gte=data["since"])
    if data.get("until"):
        rows = rows.filter(occurred_on__lte=data["until"])
    if data.get("finding"):
        rows = rows.filter(finding=data["finding"])
    if data.get("area") is not None:
        rows = rows.filter(subtree_q([data["area"].path], via="area_"))
    rows = rows.select_related("author", "area", "case").annotate(photo_count=Count("photos"))
    page = Paginator(rows.order_by("-occurred_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    tabs = []
    if sees_area:
        tabs = [(SCOPE_MINE, _("Mine")), (SCOPE_AREA, _("My area"))]
    return render(
        request,
        "gridops/list.html",
        {
            "form": form,
            "page": page,
            "scope": scope,
            "tabs": tabs,
            "query": query.urlencode(),
            "writes": writes,
            "can_see_compliance": selectors.compliance_allowed(user),
        },
    )


def _render_detail(
    request: HttpRequest, entry: LogEntry, form: ToCaseForm | None = None, *, status: int = 200
) -> HttpResponse:
    user = request.user
    may_raise = (
        entry.case_id is None
        and entry.finding != Finding.NOTHING
        and services.may_raise_case(user, entry)
        and jurisdiction.can(user, Capability.REPORT_CASES)
    )
    if may_raise and form is None:
        form = ToCaseForm(finding=entry.finding)
    return render(
        request,
        "gridops/detail.html",
        {
            "entry": entry,
            "trail": jurisdiction.area_trail(user, entry.area),
            "activities": entry.activities.all(),
            "residents": entry.residents.all(),
            "photos": entry.photos.order_by("id"),
            # A refused form is shown with its reasons, even when no case can be made now.
            "form": form if may_raise or (form is not None and form.errors) else None,
        },
        status=status,
    )


@require_GET
def log_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, selectors.log_get_for_user(user=request.user, pk=pk))


@require_GET
def log_photo(request: HttpRequest, pk: int, photo_id: int) -> FileResponse:
    entry = selectors.log_get_for_user(user=request.user, pk=pk)
    photo = entry.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    audit_record(
        action="log.photo_download",
        actor=request.user,
        target=entry,
        details={"photo": photo.pk, "name": photo.original_name},
    )
    return stored_file_response(
        photo.file.open("rb"), filename=photo.original_name, content_type=photo.content_type
    )


@require_POST
def log_to_case(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.log_get_for_user(user=request.user, pk=pk)
    form = ToCaseForm(request.POST, finding=entry.finding)
    if not form.is_valid():
        return _render_detail(request, entry, form, status=400)
    try:
        case = services.log_entry_to_case(
            actor=request.user,
            entry_id=entry.pk,
            category=form.cleaned_data["category"],
            kind=form.cleaned_data["kind"],
            grade=form.cleaned_data["grade"],
        )
    except DomainError as error:
        apply_domain_error(form, error)
        entry.refresh_from_db()
        return _render_detail(request, entry, form, status=error.status)
    messages.success(request, _("The entry is now case %(number)s.") % {"number": case.number})
    return redirect("case_detail", pk=case.pk)


def case_panel_context(request: HttpRequest, case: Any) -> dict[str, Any] | None:
    """On a case raised from the daily log: the entry it came from (a link when the user
    may open the entry)."""
    entry = LogEntry.objects.filter(case=case).select_related("author").first()
    if entry is None:
        return None
    visible = selectors.log_list_for_user(user=request.user).filter(pk=entry.pk).exists()
    return {"entry": entry, "visible": visible}


# --------------------------------------------------------------------------- compliance
def _compliance(request: HttpRequest) -> tuple[ComplianceForm, str, Any, Any]:
    user = request.user
    _require(selectors.compliance_allowed(user), request, "log.compliance")
    form = ComplianceForm(request.GET or None, user=user)
    period, village = form.chosen()
    today = clock.today()
    start, end = selectors.period_bounds(period, today)
    figures = selectors.compliance(
        user=user, start=start, end=end, today=today, calendar=calendar_load(), village=village
    )
    return form, period, village, figures


# The compliance page's tables of workers and of grids, a page at a time (a district has
# thousands of each); the figures above them are the whole area's.
COMPLIANCE_PAGE_SIZE = 50
NOT_LOGGED_SHOWN = 30


@require_GET
def log_compliance(request: HttpRequest) -> HttpResponse:
    form, period, village, figures = _compliance(request)
    show, sort = form.listing()
    listed = selectors.worker_rows(figures.workers, show=show, sort=sort)
    workers = Paginator(listed, COMPLIANCE_PAGE_SIZE)
    worker_page = workers.get_page(request.GET.get("page"))
    grid_page = Paginator(figures.by_grid, COMPLIANCE_PAGE_SIZE).get_page(
        request.GET.get("grid_page")
    )
    not_logged = figures.not_logged_today
    return render(
        request,
        "gridops/compliance.html",
        {
            "form": form,
            "period": period,
            "periods": PERIODS,
            "village": village,
            "villages": list(form.fields["village"].queryset.only("pk", "name")),
            "figures": figures,
            "show": show,
            "not_logged": not_logged[:NOT_LOGGED_SHOWN],
            "not_logged_more": max(0, len(not_logged) - NOT_LOGGED_SHOWN),
            "worker_page": worker_page,
            "grid_page": grid_page,
            "definitions": selectors.COMPLIANCE_DEFINITIONS,
            "policy": selectors.log_policy(),
            "can_excuse": bool(jurisdiction.roles_of(request.user) & selectors.EXCUSERS),
        },
    )


@require_GET
def log_compliance_export(request: HttpRequest) -> HttpResponse:
    form, period, village, figures = _compliance(request)
    show, sort = form.listing()
    content = compliance_xlsx(
        figures,
        period=dict(PERIODS)[period],
        workers=selectors.worker_rows(figures.workers, show=show, sort=sort),
    )
    audit_record(
        action="log.compliance_export",
        actor=request.user,
        area=village,
        details={
            "period": period,
            "from": figures.start.isoformat(),
            "to": figures.end.isoformat(),
            "village": village.pk if village else None,
            "workers": len(figures.workers),
        },
    )
    name = _("daily-log-compliance")
    return download_response(
        content, filename=f"{name}-{figures.start:%Y%m%d}-{figures.end:%Y%m%d}.xlsx"
    )


@require_http_methods(["GET", "POST"])
def log_excuse(request: HttpRequest) -> HttpResponse:
    """Leave or duty away that excuses a worker's days, recorded by a village cadre for the
    village's workers or by a leader."""
    user = request.user
    _require(bool(jurisdiction.roles_of(user) & selectors.EXCUSERS), request, "log.excuse")
    today = clock.today()
    status = 200
    if request.method == "POST":
        form = ExcuseForm(request.POST, user=user, today=today)
        if form.is_valid():
            try:
                excuse = services.log_excuse_record(actor=user, **form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
                status = error.status
            else:
                messages.success(
                    request,
                    _("Recorded: %(worker)s, %(start)s to %(end)s.")
                    % {
                        "worker": excuse.worker,
                        "start": excuse.starts_on.isoformat(),
                        "end": excuse.ends_on.isoformat(),
                    },
                )
                return redirect("log_excuse")
        else:
            status = 400
    else:
        form = ExcuseForm(user=user, today=today)
    return render(
        request,
        "gridops/excuse.html",
        {"form": form, "excuses": selectors.excuses_for(user=user)[:50]},
        status=status,
    )
