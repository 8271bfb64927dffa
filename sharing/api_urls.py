from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from sharing import apis

router = SimpleRouter()
router.register("reviewers", apis.ReviewerViewSet, basename="reviewer")
router.register("reviewer-assignments", apis.ReviewerAssignmentViewSet, basename="reviewer-assignment")

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "applicants/<int:im_id>/evaluations/",
        apis.ApplicantEvaluationList.as_view(),
        name="applicant-evaluations",
    ),
    path("share-urls.csv", apis.ShareUrlCsv.as_view(), name="share-urls-csv"),
]
urlpatterns += router.urls
