"""The key-person register's pages: my key persons (next visit due, overdue first), a
person's record (level history, plan, staff, visits, linked cases), registering a resident,
and the list's export.

Thin: every read goes through `keypersons.selectors` (need to know: outside it, a 404 and
an audit row), every change through `keypersons.services`; every view of a record, every
list and every export is on the audit log.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.models import RoleGrant, User
from fengqiao.accounts.roles import ADMIN_ROLES
from fengqiao.audit.services import audit_record
from fengqiao.cases.selectors import case_list_for_user
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.core.identifiers import mask_id_number, mask_phone
from fengqiao.keypersons import selectors, services
from fengqiao.keypersons.forms import (
    DecideForm,
    ExportForm,
    LevelForm,
    ListFilterForm,
    RegisterForm,
    StaffForm,
    TaskForm,
    VisitForm,
)
from fengqiao.keypersons.models import ChangeStatus, KeyPerson, Level, Status
from fengqiao.people.selectors import person_search
from fengqiao.ui.downloads import download_response
from fengqiao.ui.forms import apply_domain_error

PAGE_SIZE = 25
SEARCH_LIMIT = 10


def _require_pages(request: HttpRequest) -> None:
    if not selectors.pages_allowed(request.user):
        jurisdiction.deny(request.user, what="keyperson.pages")


def _listed(request: HttpRequest) -> tuple[ListFilterForm, dict[str, Any], Any]:
    form = ListFilterForm(request.GET or None)
    chosen = form.chosen()
    scope, rows = selectors.key_person_list(
        user=request.user,
        today=clock.today(),
        scope=chosen.get("scope", ""),
        level=chosen.get("level"),
        category=chosen.get("category"),
        due=chosen.get("due", ""),
    )
    chosen["scope"] = scope
    return form, chosen, rows


@require_GET
def key_person_list(request: HttpRequest) -> HttpResponse:
    _require_pages(request)
    form, chosen, queryset = _listed(request)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    services.key_persons_listed(actor=request.user, count=page.paginator.count, filters=chosen)
    by_level = {
        row["level__name"]: row["n"]
        for row in queryset.order_by().values("level__name").annotate(n=Count("pk", distinct=True))
    }
    return render(
        request,
        "keypersons/list.html",
        {
            "form": form,
            "page": page,
            "today": clock.today(),
            "levels": [
                (level, selectors.small_count(by_level.get(level.name, 0)))
                for level in Level.objects.filter(is_active=True).order_by("-rank")
            ],
            "total": selectors.small_count(page.paginator.count),
            "may_register": selectors.register_allowed(request.user),
            "definitions": selectors.DEFINITIONS,
        },
    )


@require_http_methods(["GET", "POST"])
def key_person_export(request: HttpRequest) -> HttpResponse:
    """The list as a workbook: a reason first; the user and the time on every page."""
    _require_pages(request)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _filters, chosen, queryset = _listed(request)
        now = clock.now()
        content = _workbook(request.user, list(queryset[:5000]), now=now)
        audit_record(
            action="keyperson.export",
            actor=request.user,
            details={
                "reason": form.cleaned_data["reason"],
                "count": queryset.count(),
                **{k: str(v)[:40] for k, v in chosen.items() if v},
            },
        )
        name = _("key-persons")
        return download_response(
            content, filename=f"{name}-{timezone.localtime(now):%Y%m%d%H%M}.xlsx"
        )
    return render(request, "keypersons/export.html", {"form": form, "query": request.GET})


def _workbook(user: Any, records: list[KeyPerson], *, now: dt.datetime) -> bytes:
    from openpyxl import Workbook

    from fengqiao.cases.exports import spreadsheet_text

    book = Workbook()
    sheet = book.active
    sheet.title = _("Key persons")
    stamp = _("Exported by %(user)s at %(time)s — confidential") % {
        "user": str(user),
        "time": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
    }
    # On every printed page: who exported it and when.
    sheet.oddHeader.center.text = stamp
    sheet.evenHeader.center.text = stamp
    sheet.oddFooter.center.text = stamp
    sheet.evenFooter.center.text = stamp
    sheet.print_title_rows = "1:1"
    sheet.append(
        [
            _("Name"),
            _("ID number"),
            _("Area"),
            _("Colour level"),
            _("Categories"),
            _("Last visit"),
            _("Next visit due"),
        ]
    )
    for record in records:
        sheet.append(
            [
                spreadsheet_text(record.person.name),
                mask_id_number(record.person.id_number or ""),
                spreadsheet_text(record.area.name),
                record.level.name,
                "、".join(m.category.name for m in record.memberships.all()),
                record.last_visit_on.isoformat() if record.last_visit_on else "",
                record.next_visit_due.isoformat() if record.next_visit_due else "",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@require_http_methods(["GET", "POST"])
def key_person_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.register_allowed(user):
        jurisdiction.deny(user, what="keyperson.register")
    text = request.GET.get("q", "").strip()
    results = list(person_search(user=user, text=text)[:SEARCH_LIMIT]) if text else []
    person = None
    person_id = request.POST.get("person") or request.GET.get("person")
    if person_id:
        person = person_search(user=user, text="").filter(pk=_int(person_id)).first()
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and person is None:
        form.is_valid()
        form.add_error(None, _("Choose a resident of your area."))
    elif request.method == "POST" and form.is_valid():
        try:
            record = services.key_person_register(
                actor=user,
                person_id=person.pk,
                level_id=form.cleaned_data["level"].pk,
                categories=form.particulars(),
                reason=form.cleaned_data["reason"],
                notes=form.cleaned_data["notes"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s is on the register.") % {"name": person.name})
            return redirect("keyperson_detail", record.pk)
    return render(
        request,
        "keypersons/new.html",
        {
            "form": form,
            "q": text,
            "results": [(found, mask_id_number(found.id_number or "")) for found in results],
            "person": person,
            "person_id_masked": mask_id_number(person.id_number or "") if person else "",
        },
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _detail(request: HttpRequest, record: KeyPerson, **forms: Any) -> HttpResponse:
    user = request.user
    manage = selectors.may_manage(user, record)
    staff = list(record.responsibles.select_related("user").order_by("pk"))
    cases = (
        case_list_for_user(user=user)
        .filter(parties__person_id=record.person_id)
        .distinct()
        .order_by("-received_at")[:20]
    )
    entries = list(
        selectors.log_entries_for_visit(user=user, key_person=record, today=clock.today())[:20]
    )
    log_entry = _int(request.GET.get("log_entry"))
    return render(
        request,
        "keypersons/detail.html",
        {
            "record": record,
            "person": record.person,
            "id_masked": mask_id_number(record.person.id_number or ""),
            "phone_masked": mask_phone(record.person.phone or ""),
            "memberships": [
                (membership, selectors.particulars_shown(membership))
                for membership in record.memberships.select_related("category")
            ],
            "changes": record.changes.select_related("from_level", "to_level", "requested_by"),
            "staff": staff,
            "tasks": record.tasks.select_related("assignee"),
            "visits": record.visits.select_related("visitor")[:50],
            "cases": cases,
            "today": clock.today(),
            "may_manage": manage,
            "may_decide": bool(jurisdiction.roles_of(user) & selectors.APPROVERS),
            "active": record.status == Status.ACTIVE,
            "pending": ChangeStatus.PENDING,
            "level_form": forms.get("level_form") or LevelForm(),
            "visit_form": forms.get("visit_form")
            or VisitForm(
                initial={"occurred_on": clock.today(), "log_entry": log_entry},
                entries=entries,
            ),
            "staff_form": forms.get("staff_form") or StaffForm(users=_staff_choices(user)),
            "task_form": forms.get("task_form") or TaskForm(staff=staff),
            "mental": any(m.category.mental_health for m in record.memberships.all()),
        },
    )


def _staff_choices(user: Any) -> Any:
    """Who may be named responsible staff: the active accounts with an everyday role."""
    if not jurisdiction.roles_of(user):
        return User.objects.none()
    return User.objects.filter(
        is_active=True,
        pk__in=RoleGrant.objects.exclude(role__in=ADMIN_ROLES).values("user_id"),
    ).order_by("home_area__path", "username")


@require_GET
def key_person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.key_person_get(user=request.user, pk=pk)
    services.key_person_viewed(actor=request.user, key_person=record)
    return _detail(request, record)


def _acted(request: HttpRequest, record: KeyPerson, done: str) -> HttpResponse:
    messages.success(request, done)
    return redirect("keyperson_detail", record.pk)


@require_POST
def key_person_level(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.key_person_get(user=request.user, pk=pk)
    form = LevelForm(request.POST)
    if form.is_valid():
        try:
            change = services.level_change_request(
                actor=request.user,
                key_person_id=record.pk,
                level_id=form.cleaned_data["level"].pk,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            done = (
                _("The level was changed.")
                if change.status != ChangeStatus.PENDING
                else _("The change waits for a leader's approval.")
            )
            return _acted(request, record, done)
    return _detail(request, record, level_form=form)


@require_POST
def key_person_decide(request: HttpRequest, pk: int, change_id: int) -> HttpResponse:
    record = selectors.key_person_get(user=request.user, pk=pk)
    form = DecideForm(request.POST)
    form.is_valid()
    approve = request.POST.get("decision") == "approve"
    try:
        services.level_change_decide(
            actor=request.user,
            change_id=change_id,
            approve=approve,
            note=form.cleaned_data.get("note", ""),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("keyperson_detail", record.pk)
    return _acted(request, record, _("Approved.") if approve else _("Refused."))


@require_POST
def key_person_visit(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.key_person_get(user=request.user, pk=pk)
    entries = selectors.log_entries_for_visit(
        user=request.user, key_person=record, today=clock.today()
    )[:20]
    form = VisitForm(request.POST, entries=entries)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_record(
                actor=request.user,
                key_person_id=record.pk,
                kind=data["kind"],
                method=data["method"],
                occurred_on=data["occurred_on"],
                findings=data["findings"],
                risk=data["risk"],
                mental_risk=data.get("mental_risk"),
                companions=data.get("companions", ""),
                log_entry=data.get("log_entry") or None,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return _acted(request, record, _("The visit is recorded."))
    return _detail(request, record, visit_form=form)


@require_POST
def key_person_staff(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.key_person_get(user=request.user, pk=pk)
    if request.POST.get("remove"):
        try:
            services.responsible_remove(
                actor=request.user, key_person_id=record.pk, responsible_id=request.POST["remove"]
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("keyperson_detail", record.pk)
        return _acted(request, record, _("Removed from the responsible staff."))
    form = StaffForm(request.POST, users=_staff_choices(request.user))
    if form.is_valid():
        try:
            services.responsible_add(
                actor=request.user,
                key_person_id=record.pk,
                user_id=form.cleaned_data["user"].pk,
                duty=form.cleaned_data["duty"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return _acted(request, record, _("Added to the responsible staff."))
    return _detail(request, record, staff_form=form)


@require_POST
def key_person_task(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.key_person_get(user=request.user, pk=pk)
    staff = list(record.responsibles.select_related("user"))
    if request.POST.get("task"):
        try:
            services.plan_task_done(
                actor=request.user,
                key_person_id=record.pk,
                task_id=request.POST["task"],
                note=request.POST.get("note", ""),
            )
        except DomainError as error:
            messages.error(request, " ".join(p.message for p in error.problems))
            return redirect("keyperson_detail", record.pk)
        return _acted(request, record, _("The task is done."))
    form = TaskForm(request.POST, staff=staff)
    if form.is_valid():
        try:
            services.plan_task_add(
                actor=request.user,
                key_person_id=record.pk,
                text=form.cleaned_data["text"],
                due_on=form.cleaned_data["due_on"],
                assignee_id=form.cleaned_data.get("assignee"),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return _acted(request, record, _("The task is in the plan."))
    return _detail(request, record, task_form=form)


@require_POST
def key_person_remove(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.key_person_get(user=request.user, pk=pk)
    try:
        services.key_person_remove(
            actor=request.user, key_person_id=record.pk, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, " ".join(problem.message for problem in error.problems))
        return redirect("keyperson_detail", record.pk)
    return _acted(request, record, _("The person is taken off the register."))


SCREENING_PAGE = 30


@require_http_methods(["GET", "POST"])
def key_person_screening(request: HttpRequest) -> HttpResponse:
    """Comprehensive screening (全面排查): each grid's residents reviewed this year, and the
    residents not yet reviewed, to be gone through and marked."""
    user = request.user
    if not selectors.register_allowed(user):
        jurisdiction.deny(user, what="keyperson.screening")
    year = clock.today().year
    if request.method == "POST":
        try:
            count = services.residents_review(
                actor=user,
                person_ids=request.POST.getlist("reviewed"),
                found_ids=request.POST.getlist("found"),
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("%(count)d residents marked as reviewed.") % {"count": count}
            )
        return redirect(f"{request.path}?page={request.GET.get('page', 1)}")
    page = Paginator(selectors.residents_not_reviewed(user=user, year=year), SCREENING_PAGE)
    return render(
        request,
        "keypersons/screening.html",
        {
            "year": year,
            "grids": selectors.screening_figures(user=user, year=year),
            "page": page.get_page(request.GET.get("page")),
        },
    )


def case_panel_context(request: HttpRequest, case: Any) -> dict[str, Any] | None:
    """The case page's warning: parties on the register, shown only to those who may see
    their records (to anyone else the case shows nothing of it)."""
    person_ids = [p.person_id for p in case.parties.all() if p.person_id is not None]
    if not person_ids:
        return None
    records = list(
        selectors.key_persons_for_user(user=request.user).filter(
            person_id__in=person_ids, status=Status.ACTIVE
        )
    )
    if not records:
        return None
    for record in records:
        services.key_person_viewed(actor=request.user, key_person=record, what="case")
    return {"records": records}
