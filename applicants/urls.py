from django.urls import include, path

from applicants import views
from applicants.imports import views as import_views

app_name = "applicants"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("job-postings/new/", views.job_posting_edit, name="job_posting_create"),
    path("job-postings/<int:pk>/edit/", views.job_posting_edit, name="job_posting_edit"),
    path("applicants/", views.applicant_list, name="applicant_list"),
    path("applicants/new/", views.applicant_create, name="applicant_create"),
    path("applicants/<int:im_id>/", views.applicant_detail, name="applicant_detail"),
    path("applicants/<int:im_id>/edit/", views.applicant_edit, name="applicant_edit"),
    path("settings/application/", views.application_settings, name="application_settings"),
    path("settings/members/", views.member_list, name="member_list"),
    path("settings/members/<int:pk>/role/", views.member_update, name="member_update"),
    path("settings/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("settings/api-token/", views.api_token, name="api_token"),
    path("settings/api-token/revoke/", views.api_token_revoke, name="api_token_revoke"),
    # CSV bulk registration (applicants.imports)
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/new/", import_views.import_create, name="import_create"),
    path("imports/format.csv", import_views.import_format_csv, name="import_format_csv"),
    path("imports/applicants.csv", import_views.import_export_csv, name="import_export_csv"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/status/", import_views.import_status, name="import_status"),
    path("imports/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/errors.csv", import_views.import_errors_csv, name="import_errors_csv"),
    path("", include("applicants.bulk.urls")),
]
