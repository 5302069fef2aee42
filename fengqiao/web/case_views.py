"""Case pages: one-stop intake, work queues with an Excel export, the case with its actions.

Thin: every change goes through `cases.services` (`case_create`, `case_act`), every read
through `cases.selectors`, which start from what the user may see; outside it is a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability
from fengqiao.audit.services import audit_record
from fengqiao.cases import workflow
from fengqiao.cases.exports import case_export_xlsx
from fengqiao.cases.models import (
    Case,
    CaseEvent,
    Grade,
    HandlingLevel,
    Kind,
    Milestone,
    Outcome,
    State,
)
from fengqiao.cases.panels import case_panels
from fengqiao.cases.selectors import (
    case_get_for_user,
    case_queue,
    case_timeline,
    overdue_q,
    user_team_ids,
)
from fengqiao.cases.services import (
    CaseConflict,
    action_label,
    actor_name,
    available_actions,
    case_act,
    case_create,
    case_validate,
    refusal,
)
from fengqiao.cases.sla import sla_tier
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.people.selectors import (
    identifier_filter,
    organization_list_for_user,
    person_search,
)
from fengqiao.ui.downloads import download_response, stored_file_response
from fengqiao.ui.forms import DATETIME_LOCAL, apply_domain_error
from fengqiao.web.case_forms import (
    SCOPE_AREA,
    SCOPE_MINE,
    SCOPE_TEAM,
    ActionForm,
    IntakeForm,
    QueueFilterForm,
    organization_label,
    party_formset,
    person_label,
)
from fengqiao.workcal.calendar import WorkingCalendar, due_after, working_days_left
from fengqiao.workcal.selectors import calendar_load

PAGE_SIZE = 25
SEARCH_LIMIT = 8


# --------------------------------------------------------------------------- access
def can_see_cases(user: Any) -> bool:
    """Everyone with an everyday role works with cases; the three administrators do not."""
    return bool(jurisdiction.roles_of(user)) and not jurisdiction.is_administrator(user)


def _require_case_user(user: Any, what: str) -> None:
    if not can_see_cases(user):
        jurisdiction.deny(user, what=what)


# --------------------------------------------------------------------------- deadlines
def format_moment(moment: dt.datetime) -> str:
    """E.g. 2026年12月1日（星期二）23:59 — the date, its weekday and the time, local."""
    local = timezone.localtime(moment)
    return _("%(date)s (%(weekday)s) %(time)s") % {
        "date": formats.date_format(local, "DATE_FORMAT"),
        "weekday": formats.date_format(local, "l"),
        "time": formats.time_format(local, "H:i"),
    }


def tier_label(kind: str, grade: str) -> str:
    if kind == Kind.DISPUTE and grade:
        return pgettext("grade, then kind of matter", "%(grade)s %(kind)s") % {
            "grade": Grade(grade).label,
            "kind": str(Kind(kind).label).lower(),
        }
    return str(Kind(kind).label)


@dataclass
class DeadlinePreview:
    text: str = ""
    provisional: bool = False
    problem: str = ""


def deadline_preview(
    *, kind: str, grade: str, received_at: dt.datetime, calendar: WorkingCalendar
) -> DeadlinePreview:
    """The deadline a new matter would get: its tier and the end of its last working day."""
    if kind not in Kind.values:
        return DeadlinePreview(problem=_("Choose the kind of matter to see the deadline."))
    if kind == Kind.DISPUTE and grade not in Grade.values:
        return DeadlinePreview(problem=_("Choose the grade to see the deadline."))
    try:
        tier = sla_tier(kind=kind, grade=grade)
    except DomainError as error:
        return DeadlinePreview(problem=error.message)
    due = due_after(calendar, received_at, tier.working_days)
    values = {
        "tier": tier_label(kind, grade),
        "milestone": str(Milestone(tier.milestone).label).lower(),
        "days": tier.working_days,
        "due": format_moment(due.due_at),
    }
    if tier.working_days == 0:
        text = _("%(tier)s: %(milestone)s on the day of receipt, by %(due)s") % values
    else:
        text = (
            ngettext(
                "%(tier)s: %(milestone)s within %(days)d working day, by %(due)s",
                "%(tier)s: %(milestone)s within %(days)d working days, by %(due)s",
                tier.working_days,
            )
            % values
        )
    return DeadlinePreview(text=text, provisional=due.provisional)


@dataclass
class DeadlineStatus:
    text: str
    css: str = ""
    days_left: int | None = None


def deadline_status(case: Case, calendar: WorkingCalendar, now: dt.datetime) -> DeadlineStatus:
    """Where the case stands against its deadline, in words, with a class for colour."""
    if case.milestone_met_at is not None:
        values = {"when": format_moment(case.milestone_met_at)}
        if case.on_time is False:
            return DeadlineStatus(_("Met late, on %(when)s") % values, "late")
        return DeadlineStatus(_("Met on time, on %(when)s") % values, "met")
    if not case.is_open:
        return DeadlineStatus(_("No deadline: the case is finished"), "done")
    if case.state == State.SUSPENDED:
        since = format_moment(case.suspended_at) if case.suspended_at else ""
        return DeadlineStatus(_("Clock suspended since %(when)s") % {"when": since}, "suspended")
    if case.state in workflow.CLOCK_STOPPED_STATES:
        return DeadlineStatus(_("Clock stopped"), "suspended")
    left = working_days_left(calendar, now, case.due_at)
    if left < 0:
        text = ngettext("Overdue by %(n)d working day", "Overdue by %(n)d working days", -left) % {
            "n": -left
        }
        return DeadlineStatus(text, "overdue", left)
    if left == 0:
        return DeadlineStatus(_("Due by the end of today"), "soon", left)
    text = ngettext("%(n)d working day left", "%(n)d working days left", left) % {"n": left}
    return DeadlineStatus(text, "soon" if left == 1 else "", left)


# --------------------------------------------------------------------------- intake
@require_http_methods(["GET", "POST"])
def case_intake(request: HttpRequest) -> HttpResponse:
    user = request.user
    jurisdiction.require(user, Capability.REPORT_CASES, what="case.create")
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES, user=user)
        parties = party_formset(user, request.POST)
        form_ok, parties_ok = form.is_valid(), parties.is_valid()
        if form_ok and parties_ok:
            case = _register(request, form, parties)
            if case is not None:
                return redirect("case_detail", pk=case.pk)
        else:
            # What the form could not read has its message; the service checks the rest
            # now, so that every problem is shown together, not one per submission.
            problems = case_validate(
                actor=user, parties=parties.party_inputs(), **form.case_arguments()
            )
            _show_problems(form, parties, problems)
    else:
        form, parties = IntakeForm(user=user), party_formset(user)
    return render(
        request,
        "web/cases/intake.html",
        {
            "form": form,
            "parties": parties,
            "preview": _preview_for(form),
            # Browsers cannot keep chosen files across a refused submission.
            "files_chosen": bool(request.FILES.getlist("attachments")),
        },
        status=400 if request.method == "POST" else 200,
    )


def _show_problems(form: IntakeForm, parties: Any, problems: list[DomainError]) -> None:
    for problem in problems:
        if not parties.apply_domain_error(problem):
            apply_domain_error(form, problem)


def _register(request: HttpRequest, form: IntakeForm, parties: Any) -> Case | None:
    try:
        case = case_create(
            actor=request.user, parties=parties.party_inputs(), **form.case_arguments()
        )
    except DomainError as error:
        _show_problems(form, parties, error.problems)
        return None
    messages.success(request, _("Case %(number)s is registered.") % {"number": case.number})
    if form.cleaned_data.get("accept_now"):
        try:
            case_act(
                actor=request.user,
                case_id=case.pk,
                action="accept",
                expected_version=case.version,
            )
        except DomainError as error:
            messages.warning(
                request,
                _("It could not be accepted at once: %(reason)s") % {"reason": error.message},
            )
        else:
            messages.success(request, _("It is accepted."))
    return case


def _received_at(raw: str | None) -> dt.datetime | None:
    field = IntakeForm.base_fields["received_at"]
    try:
        return field.clean(raw) if raw else clock.now()
    except forms.ValidationError:
        return None


def _preview_for(form: IntakeForm) -> DeadlinePreview:
    value = form["received_at"].value()
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).strftime(DATETIME_LOCAL)
    return _preview(
        kind=form["kind"].value() or "",
        grade=form["grade"].value() or "",
        received_raw=value or "",
    )


def _preview(*, kind: str, grade: str, received_raw: str) -> DeadlinePreview:
    received_at = _received_at(received_raw)
    if received_at is None:
        return DeadlinePreview(problem=_("Enter the time of receipt to see the deadline."))
    return deadline_preview(
        kind=kind, grade=grade, received_at=received_at, calendar=calendar_load()
    )


@require_GET
def case_deadline_preview(request: HttpRequest) -> HttpResponse:
    """The deadline a matter being registered would get (htmx partial)."""
    jurisdiction.require(request.user, Capability.REPORT_CASES, what="case.create")
    preview = _preview(
        kind=request.GET.get("kind", "")[:20],
        grade=request.GET.get("grade", "")[:20],
        received_raw=request.GET.get("received_at", "")[:20],
    )
    return render(request, "web/cases/_deadline_preview.html", {"preview": preview})


@require_GET
def case_party_search(request: HttpRequest) -> HttpResponse:
    """People (masked) and organisations matching a full ID number, a phone or a name."""
    jurisdiction.require(request.user, Capability.REPORT_CASES, what="case.party_search")
    text = request.GET.get("q", "").strip()[:50]
    results: list[dict[str, Any]] = []
    if text:
        for person in person_search(user=request.user, text=text)[:SEARCH_LIMIT]:
            results.append({"person": person.pk, "label": person_label(person)})
        if identifier_filter(text) is None:
            organizations = organization_list_for_user(user=request.user).filter(
                name__icontains=text
            )
            for organization in organizations[:SEARCH_LIMIT]:
                results.append(
                    {"organization": organization.pk, "label": organization_label(organization)}
                )
    return render(
        request, "web/cases/_party_results.html", {"results": results, "searched": bool(text)}
    )


# --------------------------------------------------------------------------- queues
SCOPE_LABELS = {
    SCOPE_MINE: lambda: _("Mine"),
    SCOPE_TEAM: lambda: _("My team or agency"),
    SCOPE_AREA: lambda: _("My area"),
}


def queue_scopes(user: Any) -> list[str]:
    """The tabs a user has, the default first."""
    scopes = []
    if jurisdiction.can(user, Capability.VIEW_AREA_CASES):
        scopes.append(SCOPE_AREA)
    if user_team_ids(user) or user.agency_id:
        scopes.append(SCOPE_TEAM)
    scopes.append(SCOPE_MINE)
    return scopes


def _filtered_queue(
    request: HttpRequest, now: dt.datetime, calendar: WorkingCalendar
) -> tuple[QueueFilterForm, Any]:
    form = QueueFilterForm(
        request.GET or None, user=request.user, scopes=queue_scopes(request.user)
    )
    due_within = form.valid_data().get("due_within")
    due_before = due_after(calendar, now, due_within).due_at if due_within is not None else None
    queryset = case_queue(
        user=request.user, filters=form.queue_filter(due_before=due_before), now=now
    )
    return form, queryset


@dataclass
class QueueRow:
    case: Case
    deadline: DeadlineStatus
    overdue: bool
    due_text: str


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    _require_case_user(request.user, "case.list")
    now, calendar = clock.now(), calendar_load()
    form, queryset = _filtered_queue(request, now, calendar)
    queryset = queryset.select_related(
        "category", "area", "handler_user", "handler_team", "handler_agency"
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for case in page:
        status = deadline_status(case, calendar, now)
        rows.append(QueueRow(case, status, status.css == "overdue", format_moment(case.due_at)))
    scope = form.queue_filter(due_before=None).scope
    display_order = [SCOPE_MINE, SCOPE_TEAM, SCOPE_AREA]
    return render(
        request,
        "web/cases/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "scope": scope,
            "tabs": [(name, SCOPE_LABELS[name]()) for name in display_order if name in form.scopes],
            "filtered": any(
                value not in (None, "", False)
                for name, value in form.valid_data().items()
                if name not in ("scope", "text")
            ),
            "can_export": jurisdiction.can(request.user, Capability.EXPORT_CASES),
            "can_report": jurisdiction.can(request.user, Capability.REPORT_CASES),
        },
    )


@require_GET
def case_export(request: HttpRequest) -> HttpResponse:
    _require_case_user(request.user, "case.export")
    jurisdiction.require(request.user, Capability.EXPORT_CASES, what="case.export")
    now = clock.now()
    form, queryset = _filtered_queue(request, now, calendar_load())
    content = case_export_xlsx(queryset, now=now)
    audit_record(
        action="case.export",
        actor=request.user,
        details={"count": queryset.count(), "filters": form.audit_details()},
    )
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return download_response(content, filename=f"cases-{stamp}.xlsx")


def home_case_counts(user: Any) -> dict[str, int] | None:
    """Open and overdue cases in the user's default queue, for the home page."""
    if not can_see_cases(user):
        return None
    form = QueueFilterForm(None, user=user, scopes=queue_scopes(user))
    queryset = case_queue(user=user, filters=form.queue_filter(due_before=None))
    return {"open": queryset.count(), "overdue": queryset.filter(overdue_q(clock.now())).count()}


# --------------------------------------------------------------------------- one case
def _event_details(event: CaseEvent) -> list[str]:
    data = event.data or {}
    details = []
    if data.get("handler"):
        details.append(_("Handler: %(name)s") % {"name": data["handler"]})
    if data.get("agency"):
        details.append(_("Agency: %(name)s") % {"name": data["agency"]})
    if event.action == "escalate" and data.get("to_level") in HandlingLevel.values:
        details.append(
            _("Escalated to: %(level)s") % {"level": HandlingLevel(data["to_level"]).label}
        )
    if data.get("merged_into"):
        details.append(_("Merged into %(number)s") % {"number": data["merged_into"]})
    if event.action == "merged_from" and data.get("case"):
        details.append(_("Case %(number)s") % {"number": data["case"]})
    if data.get("outcome") in Outcome.values:
        details.append(str(Outcome(data["outcome"]).label))
    grade = data.get("grade")
    if isinstance(grade, dict) and grade.get("to") in Grade.values:
        details.append(_("Grade: %(grade)s") % {"grade": Grade(grade["to"]).label})
    if isinstance(data.get("days"), int):
        details.append(
            ngettext("%(n)d working day", "%(n)d working days", data["days"]) % {"n": data["days"]}
        )
    if data.get("files"):
        details.append(
            _("Files: %(names)s") % {"names": pgettext("list separator", ", ").join(data["files"])}
        )
    if event.action == "deadline_recomputed" and data.get("to"):
        details.append(
            _("New deadline: %(when)s")
            % {"when": format_moment(dt.datetime.fromisoformat(data["to"]))}
        )
    return details


@dataclass
class TimelineEntry:
    event: CaseEvent
    label: str
    from_label: str
    to_label: str
    details: list[str]
    actor: str


def _timeline(case: Case) -> list[TimelineEntry]:
    entries = []
    for event in case_timeline(case=case):
        entries.append(
            TimelineEntry(
                event=event,
                label=action_label(event.action),
                from_label=str(State(event.from_state).label) if event.from_state else "",
                to_label=str(State(event.to_state).label),
                details=_event_details(event),
                actor=actor_name(event.actor),
            )
        )
    return entries


def _render_detail(
    request: HttpRequest,
    case: Case,
    *,
    bound: ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    now, calendar = clock.now(), calendar_load()
    action_forms = []
    for transition in available_actions(user, case):
        if bound is not None and bound.transition.action == transition.action:
            bound.opened = True
            action_forms.append(bound)
        else:
            action_forms.append(ActionForm(transition=transition, case=case, user=user))
    return render(
        request,
        "web/cases/detail.html",
        {
            "case": case,
            "trail": jurisdiction.area_trail(user, case.area),
            "deadline": deadline_status(case, calendar, now),
            "due_text": format_moment(case.due_at),
            "handler": case.handler,
            "parties": case.parties.select_related("person", "organization").order_by("id"),
            "attachments": case.attachments.select_related("uploaded_by").order_by(
                "uploaded_at", "id"
            ),
            "timeline": _timeline(case),
            "action_forms": action_forms,
            "panels": case_panels(request, case),
        },
        status=status,
    )


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_user(user=request.user, pk=pk)
    return _render_detail(request, case)


@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    case = case_get_for_user(user=user, pk=pk)
    transition = workflow.ACTIONS.get(action)
    if transition is None:
        raise Http404
    # On the version the user saw (else the conflict below says who changed the case).
    seen = request.POST.get(f"{action}-version", "")
    refused = refusal(user, case, transition) if seen == str(case.version) else None
    if refused is not None:
        # Not this user's to take, or not now: said as the service says it, whatever was typed.
        refused.write_audit()
        messages.error(request, refused.message)
        return _render_detail(request, case, status=refused.status)
    form = ActionForm(request.POST, request.FILES, transition=transition, case=case, user=user)
    if not form.is_valid():
        return _render_detail(request, case, bound=form, status=400)
    try:
        case_act(
            actor=user,
            case_id=case.pk,
            action=action,
            expected_version=form.cleaned_data["version"],
            **form.inputs(),
        )
    except CaseConflict as conflict:
        messages.error(request, conflict.message)
        fresh = case_get_for_user(user=user, pk=pk)
        # What the user typed is kept, against the version they now see.
        kept = {
            name: form[name].value() for name in form.fields if name not in ("version", "files")
        }
        kept["version"] = fresh.version
        again = ActionForm(transition=transition, case=fresh, user=user, initial=kept)
        return _render_detail(request, fresh, bound=again, status=409)
    except DomainError as error:
        if error.field is None:
            messages.error(request, error.message)
        else:
            form.apply_domain_error(error)
        return _render_detail(request, case, bound=form, status=error.status)
    messages.success(request, _("Done: %(action)s.") % {"action": transition.label})
    return redirect("case_detail", pk=case.pk)


@require_GET
def case_attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    case = case_get_for_user(user=request.user, pk=pk)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    audit_record(
        action="case.attachment_download",
        actor=request.user,
        target=case,
        details={"attachment": attachment.pk, "name": attachment.original_name},
    )
    return stored_file_response(
        default_storage.open(attachment.file.name, "rb"),
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
