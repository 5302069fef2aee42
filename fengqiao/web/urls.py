from django.contrib.auth import views as auth_views
from django.urls import include, path

from fengqiao.web import case_views, field_views, map_views, views

urlpatterns = [
    path("accounts/login/", field_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("", views.home, name="home"),
    path("field/", field_views.field_home, name="field_home"),
    path("", include("fengqiao.gridops.urls")),
    path("screening/", include("fengqiao.screening.urls")),
    path("areas/picker/", views.area_picker, name="area_picker"),
    path("areas/<int:pk>/", views.area_detail, name="area_detail"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("cases/", case_views.case_list, name="case_list"),
    path("cases/new/", case_views.case_intake, name="case_intake"),
    path("cases/new/deadline/", case_views.case_deadline_preview, name="case_deadline_preview"),
    path("cases/new/parties/", case_views.case_party_search, name="case_party_search"),
    path("cases/export/", case_views.case_export, name="case_export"),
    path("cases/<int:pk>/", case_views.case_detail, name="case_detail"),
    path("cases/<int:pk>/act/<slug:action>/", case_views.case_action, name="case_action"),
    path(
        "cases/<int:pk>/attachments/<int:attachment_id>/",
        case_views.case_attachment,
        name="case_attachment",
    ),
    path("map/", map_views.map_page, name="map_page"),
    path("map/areas.geojson", map_views.map_areas, name="map_areas"),
    path("map/cases.geojson", map_views.map_cases, name="map_cases"),
    path("map/logs.geojson", map_views.map_logs, name="map_logs"),
]
