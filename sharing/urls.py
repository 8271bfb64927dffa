from django.urls import path

from sharing import views

app_name = "sharing"

urlpatterns = [
    path("s/<str:token>/", views.reviewer, name="reviewer"),
    path("s/<str:token>/media/<str:signed>/", views.reviewer_media, name="reviewer_media"),
    path("sharing/settings/", views.sharing_settings, name="settings"),
    path("sharing/share-urls.csv", views.share_urls_csv, name="share_urls_csv"),
    path("sharing/evaluations.csv", views.evaluations_csv, name="evaluations_csv"),
    path(
        "sharing/applicants/<int:im_id>/share-url/regenerate/",
        views.share_link_regenerate,
        name="share_link_regenerate",
    ),
    path(
        "sharing/applicants/<int:im_id>/evaluations.csv",
        views.applicant_evaluations_csv,
        name="applicant_evaluations_csv",
    ),
    path(
        "sharing/job-postings/<int:pk>/evaluation-sheet/",
        views.evaluation_sheet_edit,
        name="evaluation_sheet",
    ),
]
