from django.urls import path

from applicants import views

app_name = "applicants"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("job-postings/new/", views.job_posting_edit, name="job_posting_create"),
    path("job-postings/<int:pk>/edit/", views.job_posting_edit, name="job_posting_edit"),
    path("applicants/", views.applicant_list, name="applicant_list"),
    path("applicants/new/", views.applicant_create, name="applicant_create"),
    path("applicants/<int:im_id>/", views.applicant_detail, name="applicant_detail"),
    path("applicants/<int:im_id>/edit/", views.applicant_edit, name="applicant_edit"),
    path("applicants/<int:im_id>/extend/", views.applicant_extend, name="applicant_extend"),
    path("applicants/<int:im_id>/erase/", views.applicant_erase, name="applicant_erase"),
    path("settings/application/", views.application_settings, name="application_settings"),
    path("settings/members/", views.member_list, name="member_list"),
    path("settings/members/<int:pk>/role/", views.member_update, name="member_update"),
    path("settings/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("settings/api-token/", views.api_token, name="api_token"),
    path("settings/api-token/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
