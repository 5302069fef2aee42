from django.urls import path

from fengqiao.supervision import views

urlpatterns = [
    path("", views.supervision_list, name="supervision_list"),
    path("mine/", views.supervision_mine, name="supervision_mine"),
    path("raise/<int:case_id>/", views.supervision_raise, name="supervision_raise"),
    path("<int:pk>/", views.supervision_detail, name="supervision_detail"),
    path("<int:pk>/reply/", views.supervision_reply, name="supervision_reply"),
    path("<int:pk>/close/", views.supervision_close, name="supervision_close"),
    path("<int:pk>/withdraw/", views.supervision_withdraw, name="supervision_withdraw"),
    path("<int:pk>/document/", views.supervision_document, name="supervision_document"),
]
