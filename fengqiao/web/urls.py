from django.contrib.auth import views as auth_views
from django.urls import path

from fengqiao.web import views

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("", views.home, name="home"),
    path("areas/picker/", views.area_picker, name="area_picker"),
    path("areas/<int:pk>/", views.area_detail, name="area_detail"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
]
