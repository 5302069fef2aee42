"""Pages. Thin: they validate input, call services and selectors, and render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.i18n import set_language as django_set_language

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability
from fengqiao.areas.models import Level, subtree_q
from fengqiao.areas.selectors import area_level_counts, area_search
from fengqiao.core import clock
from fengqiao.people import selectors as people_selectors
from fengqiao.people import services as people_services
from fengqiao.web.case_views import home_case_counts
from fengqiao.web.forms import PersonForm, RevealForm
from fengqiao.workcal.selectors import calendar_covered_until, calendar_needs_attention

set_language = login_not_required(django_set_language)


def calendar_warning(user: Any) -> dict[str, Any] | None:
    """For the system administrator: the working-day calendar ends within 60 days."""
    if not jurisdiction.can(user, Capability.CONFIGURE):
        return None
    today = clock.today()
    if not calendar_needs_attention(today):
        return None
    return {"covered_until": calendar_covered_until(today=today)}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    roots = jurisdiction.area_roots(user)
    scopes = []
    for root in roots:
        counts = area_level_counts(root=root)
        children = list(root.children.order_by("path"))
        scopes.append(
            {
                "root": root,
                "trail": jurisdiction.area_trail(user, root),
                "counts": [
                    (Level(level).label, counts[level]) for level in Level if level > root.level
                ],
                "children": children,
                "residents": people_selectors.person_list_for_user(user=user)
                .filter(subtree_q([root.path], via="area__"))
                .count()
                if jurisdiction.can(user, Capability.VIEW_PEOPLE)
                else None,
            }
        )
    return render(
        request,
        "web/home.html",
        {
            "scopes": scopes,
            "roles": user.role_labels(),
            "agency": user.agency,
            "is_administrator": jurisdiction.is_administrator(user),
            "calendar_warning": calendar_warning(user),
            "capabilities": [Capability(c).label for c in Capability if jurisdiction.can(user, c)],
            "case_counts": home_case_counts(user),
        },
    )


@require_GET
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    area = jurisdiction.get_in_scope(request.user, jurisdiction.areas_visible(request.user), pk)
    residents = None
    if jurisdiction.can(request.user, Capability.VIEW_PEOPLE):
        residents = people_selectors.person_list_for_user(user=request.user).filter(
            subtree_q([area.path], via="area__")
        )
    counts = area_level_counts(root=area)
    return render(
        request,
        "web/area_detail.html",
        {
            "area": area,
            "trail": jurisdiction.area_trail(request.user, area),
            "children": area.children.order_by("path"),
            "counts": [(Level(lv).label, counts[lv]) for lv in Level if lv > area.level],
            "resident_count": residents.count() if residents is not None else None,
        },
    )


@require_GET
def area_picker(request: HttpRequest) -> HttpResponse:
    """Search results for the area picker: areas in the user's jurisdiction only."""
    text = request.GET.get("q", "")[:50]
    results = area_search(queryset=jurisdiction.areas_visible(request.user), text=text)
    return render(
        request,
        "ui/widgets/area_picker_results.html",
        {"results": results, "field": request.GET.get("field", "area")[:40], "q": text},
    )


@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    jurisdiction.require(request.user, Capability.VIEW_PEOPLE, what="person.list")
    text = request.GET.get("q", "").strip()[:50]
    queryset = people_selectors.person_search(user=request.user, text=text)
    area_id = request.GET.get("area", "")
    area = None
    if area_id.isdigit():
        area = jurisdiction.areas_visible(request.user).filter(pk=area_id).first()
        if area is not None:
            queryset = queryset.filter(subtree_q([area.path], via="area__"))
    page = Paginator(queryset.order_by("name", "id"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "web/person_list.html",
        {"page": page, "q": text, "area": area, "total": page.paginator.count},
    )


@require_http_methods(["GET", "POST"])
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = people_selectors.person_get_for_user(user=request.user, pk=pk)
    revealed: dict[str, str] = {}
    form = RevealForm()
    if request.method == "POST":
        form = RevealForm(request.POST)
        if form.is_valid():
            try:
                revealed[form.cleaned_data["field"]] = people_services.person_reveal(
                    actor=request.user,
                    person=person,
                    field=form.cleaned_data["field"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
    return render(
        request,
        "web/person_detail.html",
        {
            "person": person,
            "trail": jurisdiction.area_trail(request.user, person.area),
            "revealed": revealed,
            "reveal_form": form,
            "can_reveal": jurisdiction.can(request.user, Capability.REVEAL_IDENTIFIERS),
        },
    )


@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    jurisdiction.require(request.user, Capability.REGISTER_PEOPLE, what="person.create")
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = people_services.person_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            return redirect("person_detail", pk=person.pk)
    return render(
        request, "web/person_form.html", {"form": form, "title": _("Register a resident")}
    )
