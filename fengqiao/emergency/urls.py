from django.urls import path

from fengqiao.emergency import views

urlpatterns = [
    path("", views.emergency_list, name="emergency_list"),
    path("<int:case_id>/acknowledge/", views.emergency_acknowledge, name="emergency_acknowledge"),
]
