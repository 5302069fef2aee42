"""Every error of the API has one shape: {"code", "message", "field"}.

`code` is stable and meant for programs; `message` is for people, in the language of the
request (Accept-Language, through LocaleMiddleware); `field` names the input it is about,
as a dotted path into the request ("parties.0.role"), or is null.

One meaning per status, whichever endpoint answers:
- 400 the input is invalid (the schema's checks or the domain's): every problem is listed
  under "errors", the first one repeated at the top; code "invalid" for the schema's;
- 401 no valid token;
- 403 the user may not do this (`core.errors.NotAllowed`, or a page function their roles
  lack);
- 404 not found, or outside the user's jurisdiction (the same answer);
- 409 the object is not in a state that allows it (`WrongState`), or changed since the
  client saw it (`Conflict`: with "current_version", "changed_by" and "changed_at").

The status of a domain refusal is the one its exception carries (`DomainError.status`):
`on_domain_error` below is the one place that turns refusals into answers.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

from fengqiao.core.errors import DomainError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)

# Raised by the schemas' own validators: the message is already translated and precise.
MESSAGE_ERROR_TYPE = "fengqiao"


class ApiError(Exception):
    """An error the API itself answers (authentication, idempotency, reference checks)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra or {}


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": str(message), "field": field, **extra}


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str | None:
    # ninja prefixes the source ("body", "query", "path", "header", "form", "file") and,
    # for a body schema, the parameter's name; neither is part of what the client sent.
    parts = list(loc[1:])
    if loc and loc[0] == "body" and parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or None


def _message_of(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == MESSAGE_ERROR_TYPE:
        return str(error.get("msg", ""))
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This field is not accepted here.")
    if kind in {"enum", "literal_error"}:
        return _("Choose one of the listed values.")
    if kind.startswith(("int_", "float_", "decimal_", "greater_than", "less_than")):
        return _("Enter a valid number in the allowed range.")
    if kind.startswith("string_too_long"):
        return _("This text is too long.")
    if kind.startswith("string_too_short"):
        return _("This field is required.")
    if kind.startswith("bool"):
        return _("Enter true or false.")
    return _("Enter a valid value.")


def domain_error_body(error: DomainError) -> dict[str, Any]:
    """The body of a domain refusal: its problems listed (one, or every one found)."""
    listed = [
        {"field": problem.field, "message": str(problem.message), "code": problem.code}
        for problem in error.problems
    ]
    return error_body(
        error.code, error.message, error.field, errors=listed, **getattr(error, "extra", {})
    )


def validation_error_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    listed = [
        {"field": _field_of(error.get("loc", ())), "message": _message_of(error)}
        for error in errors
    ]
    first = listed[0] if listed else {"field": None, "message": _("Enter a valid value.")}
    return error_body("invalid", first["message"], first["field"], errors=listed)


_HTTP_CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "too_many_requests",
}


def _http_message(status: int) -> str:
    return {
        400: _("The request could not be read; send a JSON body."),
        401: _("Sign in: send a valid token as “Authorization: Bearer <token>”."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        429: _("Too many requests; wait a moment and try again."),
    }.get(status, _("The request failed."))


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        body = error_body(exc.code, exc.message, exc.field, **exc.extra)
        return respond(request, body, exc.status)

    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(request, domain_error_body(exc), exc.status)

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, validation_error_body(exc.errors), 400)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, error_body("not_found", _("Not found.")), 404)

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, error_body("forbidden", _http_message(403)), 403)

    def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, error_body("unauthorized", _http_message(401)), 401)

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        return respond(
            request, error_body(_HTTP_CODES.get(status, "error"), _http_message(status)), status
        )

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API request failed: %s %s", request.method, request.path)
        return respond(
            request,
            error_body("server_error", _("Something went wrong on our side.")),
            500,
        )

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(DomainError, on_domain_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Exception, on_unexpected)
