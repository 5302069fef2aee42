from django.urls import path

from fengqiao.mediation import views

urlpatterns = [
    path("cases/<int:case_id>/start/", views.mediation_start, name="mediation_start"),
    path("<int:pk>/session/", views.session_record, name="mediation_session"),
    path("<int:pk>/outcome/", views.outcome_record, name="mediation_outcome"),
    path("<int:pk>/agreement/", views.agreement_edit, name="mediation_agreement"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="mediation_sign"),
    path("agreements/<int:pk>/judicial/", views.judicial_apply, name="mediation_judicial"),
    path(
        "agreements/<int:pk>/judicial/result/",
        views.judicial_result,
        name="mediation_judicial_result",
    ),
    path(
        "agreements/<int:pk>/document.<slug:fmt>",
        views.agreement_download,
        name="mediation_agreement_document",
    ),
    path(
        "sessions/<int:pk>/minutes.<slug:fmt>",
        views.minutes_download,
        name="mediation_minutes_document",
    ),
    path("attachments/<int:pk>/", views.attachment_download, name="mediation_attachment"),
]
