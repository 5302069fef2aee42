from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from fengqiao.audit.context import AuditContext, current


def client_address(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is trusted once a proxy is configured to set it.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current.set(AuditContext(client_address=client_address(request)))
        try:
            return self.get_response(request)
        finally:
            current.reset(token)
