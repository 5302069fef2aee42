"""/api/v1: the JSON API. Bearer tokens, one error shape, the same scoping as the pages.

Every view is marked login-not-required for Django's LoginRequiredMiddleware: the API
authenticates each request itself (a bearer token, not a session), and a data endpoint
without a valid token answers 401 JSON rather than a redirect to the login page. The
schema (/openapi.json) and its docs page (/docs) are public: they describe the API and
hold no data.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger
from ninja.renderers import JSONRenderer

from fengqiao.api import auth, cases, errors, gridops, reference
from fengqiao.api.alerts import router as alerts_router
from fengqiao.api.followups import router as followups_router
from fengqiao.api.idempotency import json_response
from fengqiao.api.keypersons import router as keypersons_router
from fengqiao.api.mediation import router as mediation_router
from fengqiao.api.notifications import emergency_router
from fengqiao.api.notifications import router as notifications_router
from fengqiao.api.reports import router as reports_router
from fengqiao.api.screening import router as screening_router
from fengqiao.api.supervision import router as supervision_router


class FengqiaoAPI(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        not_found = login_not_required(csrf_exempt(_not_found))
        patterns = []
        for pattern in super()._get_urls():
            if isinstance(pattern, URLPattern) and pattern.name == "api-root":
                # Kept by name (ninja reverses it), but a JSON 404 like any unknown path.
                pattern = path("", not_found, name="api-root")
            elif isinstance(pattern, URLPattern):
                login_not_required(pattern.callback)
            patterns.append(pattern)
        # Anything else under /api/v1/ is a JSON 404, not the pages' HTML one.
        patterns.append(re_path(r"^.+$", not_found))
        return patterns


class Renderer(JSONRenderer):
    # Chinese text as itself rather than escaped: shorter, and readable in a log.
    json_dumps_params = {"ensure_ascii": False}


def _not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return json_response(errors.error_body("not_found", _("Not found.")), 404)


api = FengqiaoAPI(
    # Swagger UI's online validator badge would load an image from another site, which the
    # Content-Security-Policy refuses (and which would tell it the schema's address).
    docs=Swagger(settings={"validatorUrl": None}),
    title="Fengqiao API",
    version="1",
    urls_namespace="api",
    auth=[auth.BearerToken(), auth.SessionCookie()],
    renderer=Renderer(),
    description=(
        "Case management of the township comprehensive governance centre. Authenticate with "
        "POST /auth/token, then send `Authorization: Bearer <token>`. Errors are "
        '`{"code", "message", "field"}`; messages follow Accept-Language (zh-hans, en). '
        "POSTs that create or act accept an `Idempotency-Key` header."
    ),
)
errors.install(api)
api.add_router("/auth", auth.router)
api.add_router("/cases", cases.router)
api.add_router("/mediation", mediation_router)
api.add_router("/followups", followups_router)
api.add_router("/supervision", supervision_router)
api.add_router("/alerts", alerts_router)
api.add_router("/notifications", notifications_router)
api.add_router("/emergencies", emergency_router)
api.add_router("/reports", reports_router)
api.add_router("/logs", gridops.router)
api.add_router("/keypersons", keypersons_router)
api.add_router("/field", gridops.field_router)
api.add_router("/screening", screening_router)
api.add_router("/map", "fengqiao.api.map.router")
api.add_router("", reference.router)
