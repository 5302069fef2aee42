"""The inbox. Thin: it reads through selectors and writes through services."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.accounts import jurisdiction
from fengqiao.core.errors import DomainError
from fengqiao.notify import selectors, services

PAGE_SIZE = 30


def _changed(response: HttpResponse) -> HttpResponse:
    # The header badge listens for this event and reloads its count.
    response["HX-Trigger"] = "notifications-changed"
    return response


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        selectors.notification_list_for_user(user=request.user).select_related("case"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/inbox.html",
        {
            "page": page,
            "preferences": selectors.notification_preferences_for_user(user=request.user),
        },
    )


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    return render(request, "notify/_inbox_link.html")


@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = jurisdiction.get_in_scope(
        request.user, selectors.notification_list_for_user(user=request.user), pk
    )
    services.notification_mark_read(user=request.user, ids=[notification.pk])
    if request.htmx:
        notification.refresh_from_db()
        return _changed(render(request, "notify/_item.html", {"notification": notification}))
    return redirect("notification_inbox")


@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and follow the notification's link (only ever to this site)."""
    notification = jurisdiction.get_in_scope(
        request.user, selectors.notification_list_for_user(user=request.user), pk
    )
    services.notification_mark_read(user=request.user, ids=[notification.pk])
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("notification_inbox")


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(user=request.user)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect("notification_inbox")


@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    try:
        for row in selectors.notification_preferences_for_user(user=request.user):
            channel = row["channel"]
            services.notification_preference_set(
                actor=request.user,
                channel=channel,
                enabled=request.POST.get(f"{channel}-enabled") == "on",
                address=request.POST.get(f"{channel}-address", ""),
            )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your notification settings are saved."))
    return redirect("notification_inbox")
