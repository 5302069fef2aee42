from django.urls import path

from fengqiao.reports import views

urlpatterns = [
    path("disputes/", views.dispute_figures_page, name="report_disputes"),
    path("disputes/export/", views.dispute_figures_export, name="report_disputes_export"),
]
