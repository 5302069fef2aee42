from django.urls import path

from fengqiao.alerts import views

urlpatterns = [
    path("", views.alert_board, name="alert_board"),
    path("flag/", views.alert_flag, name="alert_flag"),
    path("<int:pk>/", views.alert_detail, name="alert_detail"),
    path("<int:pk>/act/<slug:action>/", views.alert_action, name="alert_action"),
]
