from django.urls import path

from fengqiao.followups import views

urlpatterns = [
    path("", views.followup_queue, name="followup_queue"),
    path("<int:pk>/", views.followup_detail, name="followup_detail"),
    path("<int:pk>/record/", views.followup_record, name="followup_record"),
    path("<int:pk>/decide/", views.followup_decide, name="followup_decide"),
]
