"""The pages shown when a request goes wrong: 400, 403, 404, 500 and a refused form (CSRF).

Each is a page of the site (web/base.html: the menu for a signed-in user, the language
switch), in the reader's language, saying in plain words what happened and offering a way
back (the home page, and "back" in the browser's history). None shows the error itself.

The 500 page must appear whatever failed, the database and the context processors included:
it is first rendered as any page is; if that fails too, from a template that needs no
request context (no user, no menu, no database); and if even that fails, as fixed text.

An object outside the reader's jurisdiction stays a 404, exactly like one that does not
exist. /api/v1/ answers its own errors as JSON (fengqiao.api.errors, and a JSON 404 for any
unknown path under it); an error that still reaches these handlers there (one raised by a
middleware) is answered in the same JSON shape rather than as a page.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

# status → (stable code for the API's JSON, heading, explanation)
PAGES: dict[int, tuple[str, Any, Any]] = {
    400: (
        "invalid",
        _("The request could not be handled"),
        _("What the browser sent could not be understood. Go back and try again."),
    ),
    403: (
        "forbidden",
        _("You may not open this page"),
        _(
            "Your role does not include this function. If your work needs it, ask the "
            "security administrator to change your roles."
        ),
    ),
    404: (
        "not_found",
        _("Page not found"),
        _(
            "This page does not exist, or what it shows lies outside your area of work. "
            "Check the address, or start again from the home page."
        ),
    ),
    500: (
        "server_error",
        _("Something went wrong on our side"),
        _(
            "This is a fault in the system, not a mistake of yours. What you were doing may "
            "not have been saved: in a moment, reload the page to check, then try again. If "
            "it keeps happening, tell the system administrator."
        ),
    ),
}
CSRF_HEADING = _("This form has expired")
CSRF_EXPLANATION = _(
    "The page was open for a long time, or you signed in again in another window, so the "
    "form can no longer be sent and nothing was saved. Go back, reload the page and send "
    "it again."
)

# The last resort of the 500 page: no template, no translation machinery.
FIXED_500 = (
    '<!doctype html><html lang="zh-hans"><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>系统出错了 · Something went wrong</title>"
    "<h1>系统出错了</h1><p>您刚才的操作可能没有保存，请稍后刷新页面核对后重试。"
    '<a href="/">返回首页</a></p>'
    "<h2>Something went wrong on our side</h2><p>What you were doing may not have been saved: "
    'reload the page in a moment to check, then try again. <a href="/">Home page</a></p></html>'
)


def _language(request: HttpRequest) -> str:
    """The reader's language: the one LocaleMiddleware chose, or (if the request failed
    before it ran) the same choice made again from the cookie and Accept-Language."""
    return getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(request)


def _api_error(request: HttpRequest, status: int) -> HttpResponse | None:
    if not request.path.startswith(API_PREFIX):
        return None
    code, heading, _explanation = PAGES[status]
    body = {"code": code, "message": str(heading), "field": None}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _page(request: HttpRequest, status: int, heading: Any, explanation: Any) -> HttpResponse:
    with translation.override(_language(request)):
        answer = _api_error(request, status)
        if answer is not None:
            return answer
        html = render_to_string(
            "web/errors/error.html",
            {"status": status, "heading": heading, "explanation": explanation},
            request=request,
        )
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    _code, heading, explanation = PAGES[400]
    return _page(request, 400, heading, explanation)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    _code, heading, explanation = PAGES[403]
    return _page(request, 403, heading, explanation)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    _code, heading, explanation = PAGES[404]
    return _page(request, 404, heading, explanation)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(request, 403, CSRF_HEADING, CSRF_EXPLANATION)


def server_error(request: HttpRequest) -> HttpResponse:
    _code, heading, explanation = PAGES[500]
    try:
        return _page(request, 500, heading, explanation)
    except Exception:
        logger.exception("The 500 page could not be shown in full; showing the plain one")
    try:
        with translation.override(_language(request)):
            html = render_to_string(
                "web/errors/500_plain.html", {"heading": heading, "explanation": explanation}
            )
    except Exception:
        logger.exception("The plain 500 page could not be rendered either")
        html = FIXED_500
    return HttpResponse(html, status=500)
