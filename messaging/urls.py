from django.urls import include, path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.message_log, name="message_log"),
    path("applicants/<int:im_id>/resend/", views.applicant_resend, name="applicant_resend"),
    path("settings/messages/", views.template_list, name="template_list"),
    path("settings/messages/<str:code>/", views.template_edit, name="template_edit"),
    path("settings/messages/<str:code>/reset/", views.template_reset, name="template_reset"),
    path("settings/messages/<str:code>/preview/", views.template_preview, name="template_preview"),
    # ESP tracking webhooks, authenticated with ANYMAIL_WEBHOOK_SECRET (basic auth) as anymail documents.
    path("anymail/", include("anymail.urls")),
]
