from django.urls import path

from fengqiao.keypersons import views

urlpatterns = [
    path("", views.key_person_list, name="keyperson_list"),
    path("new/", views.key_person_new, name="keyperson_new"),
    path("export/", views.key_person_export, name="keyperson_export"),
    path("screening/", views.key_person_screening, name="keyperson_screening"),
    path("<int:pk>/", views.key_person_detail, name="keyperson_detail"),
    path("<int:pk>/level/", views.key_person_level, name="keyperson_level"),
    path("<int:pk>/remove/", views.key_person_remove, name="keyperson_remove"),
    path("<int:pk>/changes/<int:change_id>/", views.key_person_decide, name="keyperson_decide"),
    path("<int:pk>/visits/", views.key_person_visit, name="keyperson_visit"),
    path("<int:pk>/staff/", views.key_person_staff, name="keyperson_staff"),
    path("<int:pk>/plan/", views.key_person_task, name="keyperson_task"),
]
