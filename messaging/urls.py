from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path

from messaging import views

app_name = "messaging"

urlpatterns: list[URLPattern | URLResolver] = [
    path("messages/", views.message_log, name="message_log"),
    path("applicants/<int:im_id>/resend/", views.applicant_resend, name="applicant_resend"),
    path("settings/messages/", views.template_list, name="template_list"),
    path("settings/messages/<str:code>/", views.template_edit, name="template_edit"),
    path("settings/messages/<str:code>/reset/", views.template_reset, name="template_reset"),
    path("settings/messages/<str:code>/preview/", views.template_preview, name="template_preview"),
]

# ESP tracking webhooks, authenticated with ANYMAIL_WEBHOOK_SECRET (basic auth) as anymail documents.
# Without a secret anymail only warns and accepts anyone's events, so they are not routed at all
# (and `check --deploy` fails when an ESP backend is configured without one: messaging/checks.py).
if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    urlpatterns.append(path("anymail/", include("anymail.urls")))
