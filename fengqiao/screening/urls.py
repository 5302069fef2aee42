from django.urls import path

from fengqiao.screening import views

urlpatterns = [
    path("", views.screening_list, name="screening_list"),
    path("open/", views.screening_open, name="screening_open"),
    path("late/", views.screening_late, name="screening_late"),
    path("<int:pk>/", views.screening_round, name="screening_round"),
    path("<int:pk>/close/", views.screening_close, name="screening_close"),
    path("<int:pk>/export/", views.screening_export, name="screening_export"),
    path("<int:pk>/report/", views.screening_report, name="screening_report"),
    path("<int:pk>/areas/<int:area_id>/", views.screening_area, name="screening_area"),
    path(
        "<int:pk>/areas/<int:area_id>/nothing/",
        views.screening_nothing,
        name="screening_nothing",
    ),
    path(
        "<int:pk>/areas/<int:area_id>/findings/",
        views.screening_findings,
        name="screening_findings",
    ),
]
