"""Supervision pages. Thin: validate, call a service or selector, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.accounts import jurisdiction
from fengqiao.audit.services import audit_record
from fengqiao.cases.selectors import case_get_for_user
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.supervision import selectors, services
from fengqiao.supervision.documents import order_document
from fengqiao.supervision.forms import (
    CloseForm,
    OrderFilterForm,
    RaiseForm,
    ReplyForm,
    WithdrawForm,
)
from fengqiao.supervision.models import SupervisionOrder
from fengqiao.supervision.selectors import OrderFilter, order_get_for_user
from fengqiao.ui.downloads import download_response
from fengqiao.ui.forms import apply_domain_error
from fengqiao.workcal.calendar import CENTRE_TZ


def _start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, CENTRE_TZ)


def _decorate(orders: Any, now: dt.datetime) -> list[SupervisionOrder]:
    rows = list(orders)
    for order in rows:
        order.reply_overdue = order.state == "open" and order.reply_due_at < now
    return rows


@require_GET
def supervision_list(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    targets = selectors.order_targets(user=request.user)
    form = OrderFilterForm(request.GET or None, targets=targets)
    filters = OrderFilter()
    today = now.astimezone(CENTRE_TZ).date()
    since, until = dt.date(today.year, 1, 1), today
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = OrderFilter(
            target=data["target"], level=data["level"], state=data["state"], overdue=data["overdue"]
        )
        since, until = data["since"] or since, data["until"] or until
    page = Paginator(selectors.order_list(user=request.user, filters=filters, now=now), 25)
    page = page.get_page(request.GET.get("page"))
    figures = selectors.order_figures(
        user=request.user,
        since=_start_of_day(since),
        until=_start_of_day(until + dt.timedelta(days=1)),
        now=now,
    )
    return render(
        request,
        "supervision/list.html",
        {
            "form": form,
            "page": page,
            "orders": _decorate(page, now),
            "figures": figures,
            "since": since,
            "until": until,
            "filtered": form.is_bound,
        },
    )


@require_GET
def supervision_mine(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    page = Paginator(selectors.order_mine(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "supervision/mine.html", {"page": page, "orders": _decorate(page, now)})


def _render_detail(
    request: HttpRequest, order: SupervisionOrder, *, status: int = 200, **forms: Any
) -> HttpResponse:
    now = clock.now()
    user = request.user
    context = {
        "order": _decorate([order], now)[0],
        "may_reply": services.may_reply(user, order),
        "may_close": services.is_leader(user) and order.state == "replied",
        "may_withdraw": services.may_review(user, order),
        "may_see_case": selectors.user_may_see_case(user, order),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
    }
    return render(request, "supervision/detail.html", context, status=status)


@require_GET
def supervision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, order_get_for_user(user=request.user, pk=pk))


def _transition(
    request: HttpRequest, pk: int, form_class: Any, form_name: str, run: Any, done: str
) -> HttpResponse:
    order = order_get_for_user(user=request.user, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return _render_detail(request, order, status=400, **{form_name: form})
    try:
        run(order, form.cleaned_data)
    except DomainError as error:
        # Nothing was saved; the order is shown again with the reason.
        messages.error(request, error.message)
        order = order_get_for_user(user=request.user, pk=pk)
        return _render_detail(request, order, status=400, **{form_name: form})
    messages.success(request, done % {"number": order.number})
    return redirect("supervision_detail", pk=order.pk)


@require_POST
def supervision_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        ReplyForm,
        "reply_form",
        lambda order, data: services.supervision_reply(
            actor=request.user, order_id=order.pk, text=data["text"]
        ),
        _("Reply sent: %(number)s"),
    )


@require_POST
def supervision_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        CloseForm,
        "close_form",
        lambda order, data: services.supervision_close(
            actor=request.user, order_id=order.pk, review=data["review"]
        ),
        _("Order closed: %(number)s"),
    )


@require_POST
def supervision_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        WithdrawForm,
        "withdraw_form",
        lambda order, data: services.supervision_withdraw(
            actor=request.user, order_id=order.pk, reason=data["reason"]
        ),
        _("Order withdrawn: %(number)s"),
    )


@require_GET
def supervision_document(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_get_for_user(user=request.user, pk=pk)
    # The document carries the case's particulars: only for those who may see the case.
    case_get_for_user(user=request.user, pk=order.case_id)
    content = order_document(order)
    audit_record(
        action="supervision.document", actor=request.user, target=order, area=order.case.area
    )
    return download_response(content, filename=f"督办单{order.number}.docx")


@require_http_methods(["GET", "POST"])
def supervision_raise(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get_for_user(user=request.user, pk=case_id)
    if not services.is_leader(request.user):
        jurisdiction.deny(request.user, what="supervision.raise", target=case)
    form = RaiseForm(
        request.POST or None,
        actor=request.user,
        initial={"level": services.GENERAL_LEVEL, "matter": services.default_matter(case)},
    )
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.supervision_raise(
                actor=request.user,
                case_id=case.pk,
                instruction=data["instruction"],
                matter=data["matter"],
                level=data["level"],
                assisting_teams=data["assisting_teams"],
                assisting_agencies=data["assisting_agencies"],
                **form.target_arguments(),
            )
        except DomainError as error:
            apply_domain_error(form, error)
            status = error.status
        else:
            messages.success(
                request, _("Supervision order raised: %(number)s") % {"number": order.number}
            )
            return redirect("supervision_detail", pk=order.pk)
    return render(request, "supervision/raise.html", {"case": case, "form": form}, status=status)


def case_panel_context(request: HttpRequest, case: Any) -> dict[str, Any] | None:
    """The case page's supervision section: the case's orders the user sees, and for a
    leader on an open case, the button to raise one."""
    user = request.user
    now = clock.now()
    orders = _decorate(
        selectors.order_list(user=user, filters=OrderFilter(state="all", case_id=case.pk), now=now),
        now,
    )
    may_raise = case.is_open and services.is_leader(user)
    if not orders and not may_raise:
        return None
    return {"orders": orders, "may_raise": may_raise, "case": case}
