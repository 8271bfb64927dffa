from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from applicants.views import PasswordResetView
from interviewmaker.health import healthz

api_v1 = [
    path("", include("applicants.api_urls")),
    path("", include("imports.api_urls")),
    path("", include("bulk.api_urls")),
    path("", include("messaging.api_urls")),
    path("", include("interviews.api_urls")),
    path("", include("sharing.api_urls")),
    path("", include("webhooks.api_urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="applicants:dashboard", permanent=False)),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Recruiters reset a forgotten password by mail; the same answer whether the address is known or not.
    path(
        "password-reset/",
        PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # The applicants' interview pages first: most requests are theirs (no pattern overlaps).
    path("", include("interviews.urls")),
    path("", include("applicants.urls")),
    path("", include("imports.urls")),
    path("", include("bulk.urls")),
    path("", include("messaging.urls")),
    path("", include("sharing.urls")),
    path("", include("webhooks.urls")),
]
