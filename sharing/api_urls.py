from django.urls import path

from sharing import apis

urlpatterns = [
    path(
        "applicants/<int:im_id>/evaluations/",
        apis.ApplicantEvaluationList.as_view(),
        name="applicant-evaluations",
    ),
    path("share-urls.csv", apis.ShareUrlCsv.as_view(), name="share-urls-csv"),
]
