"""The daily log's pages and the field pages; included at the site's root by the shell
(the service worker must be served from `/sw.js` to serve the whole site)."""

from django.urls import path

from fengqiao.gridops import views

urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("field/report/", views.field_report, name="field_report"),
    path("field/log/new/", views.field_log_new, name="field_log_new"),
    path("field/offline/", views.field_offline, name="field_offline"),
    path("field/csrf/", views.field_csrf, name="field_csrf"),
    path("field/residents/", views.log_resident_search, name="log_resident_search"),
    path("logs/", views.log_list, name="log_list"),
    path("logs/compliance/", views.log_compliance, name="log_compliance"),
    path("logs/compliance/export/", views.log_compliance_export, name="log_compliance_export"),
    path("logs/excuses/", views.log_excuse, name="log_excuse"),
    path("logs/<int:pk>/", views.log_detail, name="log_detail"),
    path("logs/<int:pk>/case/", views.log_to_case, name="log_to_case"),
    path("logs/<int:pk>/photos/<int:photo_id>/", views.log_photo, name="log_photo"),
]
