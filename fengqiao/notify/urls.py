from django.urls import path

from fengqiao.notify import views

urlpatterns = [
    path("", views.inbox, name="notification_inbox"),
    path("badge/", views.badge, name="notification_badge"),
    path("read-all/", views.mark_all_read, name="notification_mark_all_read"),
    path("preferences/", views.preferences, name="notification_preferences"),
    path("<int:pk>/read/", views.mark_read, name="notification_mark_read"),
    path("<int:pk>/open/", views.open_notification, name="notification_open"),
]
