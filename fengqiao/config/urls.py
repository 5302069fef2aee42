from django.contrib import admin
from django.urls import include, path

from fengqiao.api.v1 import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("alerts/", include("fengqiao.alerts.urls")),
    path("mediation/", include("fengqiao.mediation.urls")),
    path("followups/", include("fengqiao.followups.urls")),
    path("notifications/", include("fengqiao.notify.urls")),
    path("supervision/", include("fengqiao.supervision.urls")),
    path("emergency/", include("fengqiao.emergency.urls")),
    path("reports/", include("fengqiao.reports.urls")),
    path("keypersons/", include("fengqiao.keypersons.urls")),
    path("", include("fengqiao.web.urls")),
]

# The site's own error pages, in its frame and language (fengqiao.web.errors).
handler400 = "fengqiao.web.errors.bad_request"
handler403 = "fengqiao.web.errors.permission_denied"
handler404 = "fengqiao.web.errors.page_not_found"
handler500 = "fengqiao.web.errors.server_error"
