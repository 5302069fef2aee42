"""The site's URLs and error handlers, plus a page that fails (for the 500 page's tests)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from fengqiao.config import urls as site

SECRET = "the secret detail of the failure"


@login_not_required
def explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET)


urlpatterns = [path("test-explode/", explode), *site.urlpatterns]
handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
