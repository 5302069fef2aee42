"""Who calls: a program with a bearer token (`POST /auth/token` exchanges a password for
one; `Authorization: Bearer <token>`), or the site's own pages in a signed-in browser (the
session cookie, with the CSRF token on every write), such as the phone's field pages
sending what they captured offline."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.security import HttpBearer, SessionAuth

from fengqiao.api.errors import ApiError
from fengqiao.api.models import ApiToken
from fengqiao.api.schemas import ErrorOut, TokenIn, TokenOut
from fengqiao.api.services import (
    TokenRefused,
    api_token_authenticate,
    api_token_issue,
    api_token_revoke,
)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            api_token = api_token_authenticate(key=token.strip())
        except TokenRefused as refused:
            message = (
                _("This token has expired; ask for a new one.")
                if refused.reason == "expired"
                else _("This token is not valid.")
            )
            code = "token_expired" if refused.reason == "expired" else "invalid_token"
            raise ApiError(401, code, message) from None
        # The rest of the project (services, audit) reads the user from here.
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


class SessionCookie(SessionAuth):
    """The signed-in browser's session. A write must carry the CSRF token (403 if not); a
    request with no session cookie is simply not signed in (401)."""

    def _get_key(self, request: HttpRequest) -> Any:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)


router = Router(tags=["auth"])


def _credentials_refused() -> ApiError:
    # The same answer for an unknown username, a wrong password and a disabled account.
    return ApiError(
        401, "invalid_credentials", _("The username or password is not correct."), field=None
    )


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    summary="Exchange a username and password for a bearer token (30 days)",
)
def token_issue(request: HttpRequest, payload: TokenIn) -> dict[str, Any]:
    # `authenticate` must see the request: django-axes counts failures per username and
    # address and refuses a locked pair; failures are audited by the signal receivers.
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        # Answer here, in the API's shape; otherwise AxesMiddleware would replace the
        # response with the HTML lockout page.
        request.axes_locked_out = False  # type: ignore[attr-defined]
        raise ApiError(
            429,
            "locked_out",
            _("Too many failed sign-ins. This account is locked for a while from this address."),
        )
    if user is None or not user.is_active:
        raise _credentials_refused()
    # Not `user_logged_in`: its axes receiver would open a session for a client that keeps
    # none. What it would do is done here: clear the failures of this username and
    # address, note the login; the token's issue is audited by the service.
    address = getattr(request, "axes_ip_address", None)
    if settings.AXES_RESET_ON_SUCCESS and address:
        axes_reset(ip=address, username=payload.username)
    update_last_login(None, user)
    issued = api_token_issue(user=user)
    return {"token": issued.key, "expires_at": issued.token.expires_at}


@router.delete(
    "/token",
    response={204: None, 401: ErrorOut},
    summary="Revoke the token this request is made with",
)
def token_revoke(request: HttpRequest) -> HttpResponse:
    token: ApiToken = request.api_token  # type: ignore[attr-defined]
    api_token_revoke(token=token)
    return HttpResponse(status=204)
