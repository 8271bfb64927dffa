from django.urls import path

from sharing import views

app_name = "sharing"

urlpatterns = [
    path("s/<str:token>/", views.reviewer, name="reviewer"),
    path("s/<str:token>/media/<str:signed>/", views.reviewer_media, name="reviewer_media"),
    # A reviewer's queue behind their personal review link.
    path("r/<str:token>/", views.review_queue, name="review_queue"),
    path("r/<str:token>/media/<str:signed>/", views.review_queue_media, name="review_queue_media"),
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
    path("sharing/reviewers/", views.reviewer_list, name="reviewer_list"),
    path("sharing/reviewers/<int:pk>/", views.reviewer_edit, name="reviewer_edit"),
    path("sharing/reviewers/<int:pk>/delete/", views.reviewer_delete, name="reviewer_delete"),
    path(
        "sharing/reviewers/<int:pk>/link/regenerate/",
        views.reviewer_link_regenerate,
        name="reviewer_link_regenerate",
    ),
    path("sharing/reviewers/<int:pk>/link/revoke/", views.reviewer_link_revoke, name="reviewer_link_revoke"),
    path("sharing/job-postings/<int:pk>/reviewers/", views.posting_reviewers, name="posting_reviewers"),
    path(
        "sharing/applicants/<int:im_id>/reviewers/",
        views.applicant_reviewer_add,
        name="applicant_reviewer_add",
    ),
    path("sharing/assignments/<int:pk>/delete/", views.assignment_delete, name="assignment_delete"),
    path("sharing/notifications/", views.notifications, name="notifications"),
]
